import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExpositionRegistry } from "../../exporters/exposition/exposition-registry.js";
import { startExporter } from "../../exporters/process/run-exporter.js";
import { validateTrainingRecord } from "../../exporters/training/ingest/validate-training-record.js";
import { MetricClassifier } from "../../exporters/training/model/metric-mapping.js";
import { createTrainingFamilies } from "../../exporters/training/model/training-families.js";
import { TrainingRuns } from "../../exporters/training/model/training-runs.js";
import { COLLECTORS } from "../../exporters/collectors.js";
import type { Benchmark } from "../support/benchmark.js";
import { median } from "../support/benchmark.js";

const RECORDS = 1000;
const RUNS = 20;
const BUDGET_POINTS_PER_SECOND = 200_000;
const METRICS = [
  "loss",
  "eval_loss",
  "eval_accuracy",
  "learning_rate",
  "grad_norm",
  "epoch",
  "train_samples_per_second",
  "train_tokens_per_second",
  "train/acc_0",
  "train/ploss_0",
] as const;

/** A batch as a trainer sends it: RECORDS records of 10 metrics over RUNS runs. */
function batchText(offset: number): string {
  const records = [];
  for (let i = 0; i < RECORDS; i++) {
    const metrics: Record<string, number | string> = {};
    for (const [k, name] of METRICS.entries())
      metrics[name] = k === 0 && i % 997 === 0 ? "NaN" : Math.random() * 10;
    records.push({
      run_id: `run-${i % RUNS}`,
      job_name: "llama-ft",
      step: offset + i,
      timestamp: 1_714_564_800 + offset + i,
      metrics,
    });
  }
  return JSON.stringify(records);
}

/**
 * DESIGN.md: training ingest >= 200k points/s on one core. Measured in-process, the
 * path a request body takes after the socket: JSON.parse, per-record validation, and
 * the update of every family. An HTTP row (loopback, the real exporter with auth and body
 * parsing, client on the same machine) is printed beside it for context.
 */
export const trainingIngestBenchmark: Benchmark = {
  id: "training-ingest",
  name: "training ingest",
  part: "exporters",
  async run({ scratchDir, log }) {
    const bodies = Array.from({ length: 8 }, (_, i) => batchText(i * RECORDS));
    const registry = new ExpositionRegistry(
      () => 1_000_000,
      () => undefined,
    );
    const runs = new TrainingRuns(
      createTrainingFamilies(registry.scope("training")),
      new MetricClassifier(),
      {
        finishedRetentionMs: 3_600_000,
        idleRetentionMs: 86_400_000,
        maxRuns: 10_000,
        maxMetricsPerRun: 500,
        otherMetrics: true,
      },
      Date.now,
    );
    const ingest = (text: string): number => {
      let points = 0;
      for (const raw of JSON.parse(text) as unknown[]) {
        const checked = validateTrainingRecord(raw);
        if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
        runs.apply(checked.value, "api");
        points += Object.keys(checked.value.metrics).length;
      }
      return points;
    };
    for (let i = 0; i < 20; i++) ingest(bodies[i % bodies.length] ?? "");
    const rates: number[] = [];
    for (let round = 0; round < 15; round++) {
      const start = process.hrtime.bigint();
      let points = 0;
      for (const body of bodies) points += ingest(body);
      rates.push(points / (Number(process.hrtime.bigint() - start) / 1e9));
    }
    const inProcess = median(rates);
    log(
      `${bodies.length} batches of ${RECORDS} records x ${METRICS.length} metrics per round, 15 rounds`,
    );

    const http = await httpRate(scratchDir, bodies);
    return [
      {
        what: "ingest, in-process (parse + validate + apply)",
        value: inProcess,
        unit: "points/s",
        baselineName: "budget",
        baseline: BUDGET_POINTS_PER_SECOND,
        budget: ">= 200k points/s",
        withinBudget: inProcess >= BUDGET_POINTS_PER_SECOND,
      },
      {
        what: "ingest over HTTP (loopback, auth, 1000-record batches, client on the same cores)",
        value: http,
        unit: "points/s",
        baselineName: "in-process",
        baseline: inProcess,
        note: "context: includes the HTTP stack and the client",
      },
    ];
  },
};

async function httpRate(dir: string, bodies: readonly string[]): Promise<number> {
  const configFile = join(dir, "ingest-exporter.yaml");
  writeFileSync(
    configFile,
    "auth:\n  bearer_tokens: [{ env: BENCH_TOKEN }]\nlimits:\n  max_body_bytes: 16777216\ncollectors:\n  training: {}\n",
  );
  const started = await startExporter({
    configFile,
    listenAddress: "127.0.0.1:0",
    collectors: COLLECTORS,
    secrets: { env: { BENCH_TOKEN: "bench-token" } },
    version: "bench",
    writeLog: () => undefined,
  });
  if ("diagnostics" in started) throw new Error("bench exporter config refused");
  try {
    const post = async (body: string) => {
      const response = await fetch(`${started.url}/api/v1/training/events`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", authorization: "Bearer bench-token" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      await response.arrayBuffer();
    };
    for (const body of bodies) await post(body);
    const rates: number[] = [];
    for (let round = 0; round < 5; round++) {
      const start = process.hrtime.bigint();
      // Two requests in flight, as a client with a small connection pool sends them.
      for (let i = 0; i < bodies.length; i += 2)
        await Promise.all([post(bodies[i] ?? ""), post(bodies[i + 1] ?? bodies[0] ?? "")]);
      rates.push(
        (bodies.length * RECORDS * METRICS.length) /
          (Number(process.hrtime.bigint() - start) / 1e9),
      );
    }
    return median(rates);
  } finally {
    await started.stop();
  }
}
