import { spawn } from "node:child_process";
import { createConnection } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDashboards } from "../../dashboards/build-dashboards.js";
import { dashboardQueries, substituteVariables } from "../support/dashboard-queries.js";
import type { DashboardQuery } from "../support/dashboard-queries.js";
import { requireBinaries } from "../support/binaries.js";
import { repoPath, requireFixtures } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The README's main job, run as users run it (the built CLI, as `make demo` does): every
 * injected incident must come out as a message in the terminal, and stopping it, by
 * finishing or by Ctrl-C, must leave nothing running.
 */
interface DemoRun {
  output(): string;
  exited: Promise<number | null>;
  interrupt(): void;
}

function startDemo(args: readonly string[]): DemoRun {
  const work = makeTempDir("demo-test");
  const child = spawn(
    process.execPath,
    [repoPath("bin/aiwatch.js"), "demo", "--work-dir", work.path, ...args],
    {
      cwd: repoPath(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      work.remove();
      resolve(code);
    }),
  );
  return { output: () => output, exited, interrupt: () => child.kill("SIGINT") };
}

/** Ports the demo printed for the services it started. */
function announcedPorts(output: string): number[] {
  return [...output.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/** The demo's dashboards, built from the spec the demo runs, as Grafana would query them. */
const demoQueries = dashboardQueries(
  buildDashboards(
    [
      {
        file: "demo/demo-spec.yaml",
        text: readFileSync(repoPath("demo/demo-spec.yaml"), "utf8"),
        displayName: "demo/demo-spec.yaml",
      },
    ],
    { prometheusUrl: "http://prometheus:9090", dashboardsPath: "/dashboards" },
  ).files,
);

/**
 * Queries every dashboard query against the demo's Prometheus until the demo exits, and
 * remembers which ever returned data: by the end every panel must have shown something.
 */
async function watchPanels(
  demo: DemoRun,
  queries: readonly DashboardQuery[],
): Promise<DashboardQuery[]> {
  let exited = false;
  void demo.exited.then(() => (exited = true));
  const prometheus = await waitFor(
    "the demo's Prometheus URL",
    () => /\[demo\] Prometheus\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(demo.output())?.[1],
    { timeoutMs: 90_000 },
  );
  const pending = new Set(queries);
  while (!exited && pending.size > 0) {
    for (const query of [...pending]) {
      const url = `${prometheus}/api/v1/query?query=${encodeURIComponent(substituteVariables(query.expr))}`;
      const body = (await fetch(url)
        .then((r) => r.json())
        .catch(() => undefined)) as { data?: { result?: unknown[] } } | undefined;
      if ((body?.data?.result?.length ?? 0) > 0) pending.delete(query);
    }
    // One round of queries per scrape interval or so; the demo's exit ends the loop.
    await Promise.race([demo.exited, new Promise((r) => setTimeout(r, 2_000))]);
  }
  return [...pending];
}

/**
 * Queries whose series exist only once something goes wrong that the demo never breaks:
 * a refused record or dropped series (counters born at their first increment), and an
 * active clock-event (throttle) reason, which the replayed capture does not have.
 */
const EMPTY_IN_THE_DEMO =
  /aiwatch_exporter_rejected_records_total|aiwatch_exporter_series_dropped_total|aiwatch_gpu_clock_event_reason_active/;

/** A terminal message's alert name and its incident link. */
const INCIDENT_LINK =
  /--- terminal: \[FIRING:\d+\] (\w+)[^]*?\n *Incident page: (http:\/\/127\.0\.0\.1:\d+\/incidents\/\d+\?key=[A-Za-z0-9_-]+)\n/;

const binaries = requireBinaries("prometheus", "alertmanager");
const fixtures = requireFixtures("gpu/nvidia-smi-csv");

describe.skipIf(!binaries.available || !fixtures.available)("aiwatch demo", () => {
  it(
    "turns every injected incident into a message, then stops everything",
    { timeout: 420_000 },
    async () => {
      // The user's own destination (a generic webhook here) gets the messages too.
      const received: string[] = [];
      const hook = createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        req.on("end", () => {
          received.push(body);
          res.end("ok");
        });
      });
      await new Promise<void>((done) => hook.listen(0, "127.0.0.1", done));
      const files = makeTempDir("demo-destinations");
      writeFileSync(
        join(files.path, "hook-url"),
        `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      );
      writeFileSync(
        join(files.path, "destinations.yaml"),
        `destinations:\n  - name: mine\n    type: webhook\n    url: { file: ${join(files.path, "hook-url")} }\n`,
      );
      // --linger: the last alert's annotation query gets a round of queries before the end.
      const demo = startDemo([
        "--exit-when-done",
        "--grace",
        "120",
        "--linger",
        "15",
        "--destinations",
        join(files.path, "destinations.yaml"),
      ]);
      // The first message's incident link must open its page while the stack runs.
      const firstPage = waitFor(
        "the first incident link",
        () => INCIDENT_LINK.exec(demo.output()) ?? undefined,
        { timeoutMs: 300_000 },
      ).then(async ([, alertname = "", url = ""]) => {
        const response = await fetch(url);
        return { alertname, url, status: response.status, body: await response.text() };
      });
      const withoutData = watchPanels(demo, [
        ...demoQueries,
        // The injected XID is dated now, as the kernel would date it (boot time + stamp).
        { where: "XID event time", expr: "aiwatch_gpu_xid_last_timestamp_seconds > time() - 600" },
      ]);
      const code = await demo.exited;
      const output = demo.output();
      expect(code, output.slice(-3000)).toBe(0);
      expect(output).toContain("[demo] all 5 incidents were caught");
      for (const alert of [
        "TrainingLossSpike",
        "TrainingLossNotFinite",
        "TrainingStalled",
        "GpuXidErrors",
        "InferenceLatencyP99High",
      ]) {
        expect(output).toMatch(new RegExp(`--- terminal: \\[FIRING:\\d+\\] ${alert}`));
      }
      // Every message links to its incident page at the receiver the demo started
      // (web.external_url), and the first link opened while the demo ran.
      const receiver = /\[demo\] receiver\s+(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(output)?.[1];
      expect(receiver, output.slice(0, 3000)).toBeDefined();
      const messages = output.split("\n--- terminal: ").slice(1);
      expect(messages.length).toBeGreaterThanOrEqual(5);
      for (const message of messages)
        expect(message, message.slice(0, 500)).toMatch(
          new RegExp(
            `\\n *Incident page: ${(receiver ?? "").replace(/[.]/g, "\\.")}/incidents/\\d+\\?key=[A-Za-z0-9_-]+\\n`,
          ),
        );
      const page = await firstPage;
      expect(page.url.startsWith(`${receiver}/incidents/`), page.url).toBe(true);
      expect(page.status, page.body.slice(0, 500)).toBe(200);
      expect(page.body).toContain(page.alertname);
      expect(page.body).toMatch(/<svg[^>]*>/);
      // The enriched headline names the injected cause's layer, read from the real stack.
      expect(output).toMatch(
        /\] TrainingLossSpike [^\n]*\br-data\b[^\n]*\nProbable cause: data \(/,
      );
      expect(output).toMatch(
        /\] TrainingLossSpike [^\n]*\br-gpu\b[^\n]*\nProbable cause: environment \([^\n]*XID 79/,
      );
      // The drift counts for r-data through the link the demo spec declares, and only there.
      expect(output).toMatch(
        /Evidence 1 \(data\): feature-drift [^\n]*locality 0\.7 \(same dataset housing\)/,
      );
      // The NaN loss ends in NaN, in words and in the sparkline, never as a falling loss.
      expect(output).toMatch(
        /\bAlert signal: [^\n]*\br-nan [^\n]*→ NaN \([^\n]*NaN\) [▁▂▃▄▅▆▇█]+×/,
      );
      // A counter says it is an increase; latency is in its unit.
      expect(output).toMatch(/\bAlert signal: [^\n]*\br-stall increase per \d+s: /);
      // p99 over histogram buckets: under load it may cross 1 s, and the window's first
      // value may be NaN (no requests yet); whichever, a time is shown in a time unit.
      expect(output).toMatch(
        /\bAlert signal: model=ranker (?:[\d.]+ (?:µs|ms|s)|NaN) → [\d.]+ (?:µs|ms|s) \(max [\d.]+ (?:µs|ms|s)[;)]/,
      );
      hook.close();
      files.remove();
      for (const alert of ["TrainingLossSpike", "TrainingStalled", "InferenceLatencyP99High"])
        expect(received.join("\n"), `${alert} on the user's destination`).toContain(alert);
      // Every panel and annotation of the demo's dashboards showed data from the stack.
      expect(demoQueries.length).toBeGreaterThan(40);
      expect((await withoutData).filter((q) => !EMPTY_IN_THE_DEMO.test(q.expr))).toEqual([]);
      const ports = new Set(announcedPorts(output));
      expect(ports.size).toBeGreaterThanOrEqual(4);
      for (const port of ports)
        expect(await portIsClosed(port), `port ${port} still open`).toBe(true);
    },
  );

  it("stops everything it started on Ctrl-C", { timeout: 120_000 }, async () => {
    const demo = startDemo([]);
    await waitFor(
      "the demo to start",
      () => (demo.output().includes("Ctrl-C stops everything") ? true : undefined),
      { timeoutMs: 90_000 },
    );
    demo.interrupt();
    expect(await demo.exited).toBe(0);
    for (const port of new Set(announcedPorts(demo.output())))
      expect(await portIsClosed(port), `port ${port} still open`).toBe(true);
  });
});
