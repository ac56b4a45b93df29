import { createServer } from "node:http";
import type { Server } from "node:http";
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createLogger } from "../../core/log/logger.js";
import { sampleEnrichment } from "../../test/support/sample-incident.js";
import { waitFor } from "../../test/support/wait-for.js";
import { loadReceiverConfig } from "../../webhook-receiver/config/load-config.js";
import type { Notification } from "../../webhook-receiver/payload/notification.js";
import { startReceiver } from "../../webhook-receiver/server/receiver-service.js";
import type { RunningReceiver } from "../../webhook-receiver/server/receiver-service.js";
import type { Benchmark, BenchRow } from "../support/benchmark.js";
import { median, percentile } from "../support/benchmark.js";

const TOKEN = "bench-token-0123456789";
const HISTORY = 200;
const SERIES = 10;
const POINTS = 240;
const WARMUP = 5;
const RUNS = 40;
const BUDGET_MS = 100;

/**
 * DESIGN.md: the incident page renders in < 100 ms server-side with 10 evidence series and
 * 200 history entries. The incident is built through the receiver's own pipeline: 200
 * earlier episodes of the same alert (each a firing and a resolved notification, each
 * delivered), then the current one, whose enrichment carries 10 evidence series and the
 * alert's own signal with its band, 240 points each. Measured as a reader sees it: GET
 * /incidents/<id>?key=... over HTTP, one at a time, beside the same bytes served by a bare
 * node:http server (the cost of the transfer alone).
 */
export const receiverIncidentPageBenchmark: Benchmark = {
  id: "receiver-incident-page",
  name: "incident page: GET /incidents/<id> with 10 evidence series and 200 history entries, over HTTP",
  part: "webhook-receiver",
  async run({ log, scratchDir }) {
    const onsetMs = Date.parse("2026-11-22T12:00:00.000Z");
    const enrichment = sampleEnrichment({ onsetMs, series: SERIES, points: POINTS });
    const receiver = await start(scratchDir, (n) =>
      n.status === "firing" && n.alerts[0]?.startsAt === iso(onsetMs) ? enrichment : undefined,
    );
    let bare: Server | undefined;
    try {
      const post = async (status: "firing" | "resolved", startsAt: number): Promise<void> => {
        const response = await fetch(`${receiver.url}/api/v1/alerts`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(payload(status, startsAt)),
        });
        if (response.status !== 200) throw new Error(`POST answered ${response.status}`);
      };
      log(`building ${HISTORY} earlier episodes through the pipeline`);
      for (let i = HISTORY; i >= 1; i--) {
        const startsAt = onsetMs - i * 3_600_000;
        await post("firing", startsAt);
        await post("resolved", startsAt);
      }
      await post("firing", onsetMs);
      const current = await waitFor(
        "the current incident with its evidence",
        async () => {
          const row = receiver.database
            .prepare<[], { id: number; token: string }>(
              "SELECT id, token FROM incidents ORDER BY id DESC LIMIT 1",
            )
            .get();
          const delivered = receiver.database
            .prepare<[], { n: number }>(
              "SELECT COUNT(*) AS n FROM deliveries WHERE state = 'delivered'",
            )
            .get()?.n;
          return row &&
            delivered === 2 * HISTORY + 1 &&
            (await receiver.incidents.enrichment(row.id))?.evidence
            ? row
            : undefined;
        },
        { timeoutMs: 120_000, pollMs: 200 },
      );
      const history = await receiver.incidents.history(
        (await receiver.incidents.get(current.id)) ?? never(),
      );
      if (history.length !== HISTORY) throw new Error(`history has ${history.length} entries`);
      const url = `${receiver.url}/incidents/${current.id}?key=${current.token}`;
      const html = await (await fetch(url)).text();
      const charts = html.match(/<svg /g)?.length ?? 0;
      if (charts !== SERIES + 1) throw new Error(`the page shows ${charts} charts`);
      bare = await serveBytes(html);
      const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
      const pageMs: number[] = [];
      const bareMs: number[] = [];
      // Alternate, so the machine's load hits both alike.
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const a = await timeGet(url);
        const b = await timeGet(bareUrl);
        if (i >= WARMUP) {
          pageMs.push(a);
          bareMs.push(b);
        }
      }
      const pageMedian = median(pageMs);
      const bareMedian = median(bareMs);
      log(
        `page ${Math.round(html.length / 1024)} KiB: ${SERIES + 1} charts, ${HISTORY} history rows; p99 ${percentile(pageMs, 99).toFixed(1)} ms`,
      );
      const rows: BenchRow[] = [
        {
          what: `GET incident page (${SERIES} evidence series x ${POINTS} points, ${HISTORY} history entries), median`,
          value: pageMedian,
          unit: "ms",
          baselineName: "same bytes from bare node:http",
          baseline: bareMedian,
          budget: `< ${BUDGET_MS} ms`,
          withinBudget: pageMedian < BUDGET_MS,
        },
        {
          what: "GET incident page, p99",
          value: percentile(pageMs, 99),
          unit: "ms",
          baselineName: "bare node:http p99",
          baseline: percentile(bareMs, 99),
        },
      ];
      return rows;
    } finally {
      await new Promise<void>((resolve) => (bare ? bare.close(() => resolve()) : resolve()));
      await receiver.stop();
    }
  },
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function payload(status: "firing" | "resolved", startsAt: number) {
  return {
    version: "4",
    groupKey: '{}:{alertname="TrainingLossSpike", run_id="r-1"}',
    truncatedAlerts: 0,
    status,
    receiver: "aiwatch",
    groupLabels: { alertname: "TrainingLossSpike", run_id: "r-1" },
    commonLabels: { alertname: "TrainingLossSpike", run_id: "r-1", job_name: "job-1" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts: [
      {
        status,
        labels: { alertname: "TrainingLossSpike", run_id: "r-1", job_name: "job-1" },
        annotations: { summary: "loss spike on r-1" },
        startsAt: iso(startsAt),
        endsAt: status === "resolved" ? iso(startsAt + 600_000) : "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example:9090/graph",
      },
    ],
  };
}

async function start(
  dir: string,
  enrich: (n: Notification) => ReturnType<typeof sampleEnrichment> | undefined,
): Promise<RunningReceiver> {
  const file = join(dir, "receiver.yaml");
  writeFileSync(
    file,
    `web:
  auth: { bearer_tokens: [{ env: TOKEN }] }
  external_url: https://aiwatch.example.com
storage: { path: ${join(dir, "receiver.db")}, synchronous: normal }
dedup: { window: 1s }
destinations:
  - { name: terminal, type: console }
default_route:
  destinations: [terminal]
`,
  );
  const loaded = await loadReceiverConfig(file, { env: { TOKEN } });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return startReceiver({
    config: loaded.config,
    secrets: { env: { TOKEN } },
    host: "127.0.0.1",
    port: 0,
    logger: createLogger({ component: "bench", level: "error", write: () => undefined }),
    version: "bench",
    stdout: () => undefined,
    enricher: { enrich: (n) => Promise.resolve(enrich(n)) },
  });
}

function serveBytes(html: string): Promise<Server> {
  const body = Buffer.from(html);
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function timeGet(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return performance.now() - started;
}

function never(): never {
  throw new Error("the current incident is missing");
}
