import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import { startActionEndpoint } from "./platforms/action-endpoint.js";
import type { ActionEndpoint } from "./platforms/action-endpoint.js";
import { runCli } from "../../cli/main.js";
import { configHead, startHarness, TOKEN } from "./receiver-harness.js";
import type { Harness } from "./receiver-harness.js";
import { webhookPayload } from "./sample-notifications.js";

/**
 * Automated actions: the configured endpoint is called once per qualifying alert group in
 * live mode, never in dry-run mode, and never beyond the rate limit; every decision is in
 * the history and in the message. Conditions here are on labels and layers, so no
 * Prometheus is needed (verdict conditions are covered by root-cause-e2e.test.ts).
 */
const ACTION_TOKEN = "ops-token-2718";

let dir: TempDir;
let endpoint: ActionEndpoint;
let harness: Harness | undefined;

beforeEach(async () => {
  dir = makeTempDir("actions");
  endpoint = await startActionEndpoint(ACTION_TOKEN);
});
afterEach(async () => {
  await harness?.receiver.stop();
  harness = undefined;
  await endpoint.close();
  dir.remove();
});

function config(mode: string, extra = ""): string {
  return `${configHead(dir.path)}actions:
  mode: ${mode}
destinations:
  - { name: out, type: console }
default_route:
  destinations: [out]
  actions:
    - name: pause-training
      when: { layer: [model], matchers: ['severity="critical"'] }
      url: ${endpoint.url}/runs/pause
      headers: { Authorization: { env: ACTION_AUTH } }
      body: '{"run": {{json labels.run_id}}, "group": {{json groupKey}}, "dryRun": {{json dryRun}} }'
      rate_limit: { max: 2, per: 1h }
${extra}`;
}

async function start(yaml: string): Promise<Harness> {
  harness = await startHarness(dir.path, yaml, { env: { ACTION_AUTH: `Bearer ${ACTION_TOKEN}` } });
  return harness;
}

function lossAlert(run: string, severity = "critical", startsAt = "2026-11-22T03:00:00.000Z") {
  return {
    name: "TrainingLossSpike",
    labels: { run_id: run, layer: "model", severity },
    startsAt,
  };
}

const history = (h: Harness) =>
  h.receiver.database
    .prepare("SELECT action, mode, result, group_key, status FROM actions ORDER BY id")
    .all() as {
    action: string;
    mode: string;
    result: string;
    group_key: string;
    status: number | null;
  }[];

describe("automated actions", () => {
  it("live: calls once per qualifying group, never beyond the rate limit, and shows it in the message", async () => {
    const h = await start(config("live"));
    for (const run of ["r-1", "r-2", "r-3", "r-4"])
      await h.post(webhookPayload({ groupKey: `{}:{run_id="${run}"}`, alerts: [lossAlert(run)] }));
    // Not qualifying: a warning.
    await h.post(
      webhookPayload({ groupKey: '{}:{run_id="r-5"}', alerts: [lossAlert("r-5", "warning")] }),
    );
    await waitFor("five messages", () => (h.stdout.length === 5 ? true : undefined));
    // The same group again (a new alert joined it): already done, not called again.
    await h.post(
      webhookPayload({
        groupKey: '{}:{run_id="r-1"}',
        alerts: [lossAlert("r-1"), lossAlert("r-1", "critical", "2026-11-22T03:05:00.000Z")].map(
          (a, i) => ({ ...a, labels: { ...a.labels, replica: String(i) } }),
        ),
      }),
    );
    await waitFor("six messages", () => (h.stdout.length === 6 ? true : undefined));

    expect(endpoint.calls).toHaveLength(2);
    expect(endpoint.calls.map((c) => JSON.parse(c.body) as { run: string })).toEqual([
      { run: "r-1", group: '{}:{run_id="r-1"}', dryRun: false },
      { run: "r-2", group: '{}:{run_id="r-2"}', dryRun: false },
    ]);
    expect(endpoint.calls[0]?.method).toBe("POST");
    expect(endpoint.calls[0]?.headers["content-type"]).toBe("application/json");
    expect(history(h).map((r) => `${r.group_key} ${r.mode} ${r.result} ${r.status ?? ""}`)).toEqual(
      [
        '{}:{run_id="r-1"} live called 202',
        '{}:{run_id="r-2"} live called 202',
        '{}:{run_id="r-3"} live rate_limited ',
        '{}:{run_id="r-4"} live rate_limited ',
      ],
    );
    const message = (run: string) =>
      h.stdout.find((m) => m.includes(`run_id="${run}"`) || m.includes(run)) ?? "";
    expect(message("r-1")).toMatch(
      /Action pause-training: done: POST 127\.0\.0\.1:\d+\/runs\/pause → HTTP 202/,
    );
    expect(message("r-3")).toMatch(
      /Action pause-training: rate limited: 2 runs in the last 3600s reach the limit of 2/,
    );
    expect(message("r-5")).not.toContain("pause-training");
    expect(h.stdout[5]).toMatch(
      /Action pause-training: already done for this group: already ran for this group \d+s ago/,
    );
    const metrics = await (await fetch(`${h.receiver.url}/metrics`)).text();
    expect(metrics).toContain(
      'aiwatch_receiver_actions_total{action="pause-training",mode="live",result="called"} 2',
    );
    expect(metrics).toContain(
      'aiwatch_receiver_actions_total{action="pause-training",mode="live",result="rate_limited"} 2',
    );
    expect(metrics).toContain(
      'aiwatch_receiver_actions_total{action="pause-training",mode="live",result="cooldown"} 1',
    );
  });

  it("dry run: decides, logs and records, but never calls", async () => {
    const h = await start(config("dry_run"));
    for (const run of ["r-1", "r-2"])
      await h.post(webhookPayload({ groupKey: `{}:{run_id="${run}"}`, alerts: [lossAlert(run)] }));
    await waitFor("two messages", () => (h.stdout.length === 2 ? true : undefined));
    expect(endpoint.calls).toEqual([]);
    expect(history(h).map((r) => `${r.mode} ${r.result}`)).toEqual([
      "dry_run dry_run",
      "dry_run dry_run",
    ]);
    expect(h.stdout[0]).toMatch(
      /Action pause-training: dry run: would POST 127\.0\.0\.1:\d+\/runs\/pause/,
    );
    const logged = h.logs.find((l) => l.includes("action (dry run)"));
    expect(JSON.parse(logged ?? "{}")).toMatchObject({
      action: "pause-training",
      body: '{"run": "r-1", "group": "{}:{run_id=\\"r-1\\"}", "dryRun": true }',
    });
  });

  it("an action marked dry_run never calls, even in live mode; mode off evaluates nothing", async () => {
    const yaml = config("live").replace(
      "rate_limit: { max: 2, per: 1h }",
      "rate_limit: { max: 2, per: 1h }\n      dry_run: true",
    );
    const h = await start(yaml);
    await h.post(webhookPayload({ groupKey: '{}:{run_id="r-1"}', alerts: [lossAlert("r-1")] }));
    await waitFor("the message", () => (h.stdout.length === 1 ? true : undefined));
    expect(endpoint.calls).toEqual([]);
    expect(history(h).map((r) => r.result)).toEqual(["dry_run"]);
    await h.receiver.stop();
    harness = undefined;

    const off = await start(config("off"));
    await off.post(webhookPayload({ groupKey: '{}:{run_id="r-2"}', alerts: [lossAlert("r-2")] }));
    await waitFor("the message", () => (off.stdout.length === 1 ? true : undefined));
    expect(off.stdout[0]).not.toContain("pause-training");
    // Same database: only the row of the live-mode run above, nothing new.
    expect(history(off).map((r) => r.group_key)).toEqual(['{}:{run_id="r-1"}']);
    expect(endpoint.calls).toEqual([]);
  });

  it("a failing endpoint is recorded as failed, shown, and not retried", async () => {
    const yaml = config("live").replace(
      `${endpoint.url}/runs/pause`,
      "http://127.0.0.1:9/unreachable",
    );
    const h = await start(yaml);
    await h.post(webhookPayload({ groupKey: '{}:{run_id="r-1"}', alerts: [lossAlert("r-1")] }));
    await waitFor("the message", () => (h.stdout.length === 1 ? true : undefined), {
      timeoutMs: 20_000,
    });
    expect(h.stdout[0]).toMatch(
      /Action pause-training: failed: POST 127\.0\.0\.1:9\/unreachable → ECONNREFUSED/,
    );
    expect(history(h).map((r) => r.result)).toEqual(["failed"]);
  });
});

describe("a live call slower than the deadline", () => {
  it("shows as in progress, and its answer follows as an update", async () => {
    await endpoint.close();
    endpoint = await startActionEndpoint(ACTION_TOKEN, { delayMs: 1500 });
    const h = await start(
      config("live").replace(
        "actions:\n  mode: live",
        "enrichment:\n  timeout: 300ms\nactions:\n  mode: live",
      ),
    );
    await h.post(webhookPayload({ groupKey: '{}:{run_id="r-1"}', alerts: [lossAlert("r-1")] }));
    await waitFor("the message and its update", () => (h.stdout.length === 2 ? true : undefined), {
      timeoutMs: 20_000,
    });
    expect(h.stdout[0]).toMatch(
      /Action pause-training: in progress: calling POST 127\.0\.0\.1:\d+\/runs\/pause; the answer follows in an update/,
    );
    expect(h.stdout[1]).toContain("(update to an earlier message)");
    expect(h.stdout[1]).toMatch(/^Actions done: Automated actions: pause-training done/m);
    expect(h.stdout[1]).toMatch(/Action pause-training: done: POST .* → HTTP 202/);
    expect(endpoint.calls).toHaveLength(1);
  });
});

describe("aiwatch receiver actions / check", () => {
  it("lists the actions history and summarises the analysis and actions in check", async () => {
    const h = await start(config("live"));
    await h.post(webhookPayload({ groupKey: '{}:{run_id="r-1"}', alerts: [lossAlert("r-1")] }));
    await waitFor("the call", () => (endpoint.calls.length === 1 ? true : undefined));
    await waitFor("the result recorded", () =>
      history(h)[0]?.result === "called" ? true : undefined,
    );
    const io = { out: "", err: "" };
    const run = (args: string[]) =>
      runCli(["receiver", ...args, "--config.file", h.configPath], {
        stdout: (t) => (io.out += t),
        stderr: (t) => (io.err += t),
        cwd: dir.path,
        env: { RECEIVER_TOKEN: TOKEN, ACTION_AUTH: `Bearer ${ACTION_TOKEN}` },
      });
    expect(await run(["actions", "--since", "1h"])).toBe(0);
    expect(io.err).toBe("");
    expect(io.out).toMatch(
      /^\S+Z\tpause-training\tlive\tcalled\tPOST 127\.0\.0\.1:\d+\/runs\/pause\t\{\}:\{run_id="r-1"\}\tPOST .* → HTTP 202 \(\d+ ms\)\n1 action since 1h ago\n$/,
    );
    io.out = "";
    expect(await run(["check"])).toBe(0);
    expect(io.out).toMatch(/: ok \(1 destinations, 0 routes, 1 actions, actions mode live\)\n$/);
  });
});
