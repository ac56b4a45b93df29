import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ExpositionRegistry } from "../../exporters/exposition/exposition-registry.js";
import { startExporter } from "../../exporters/process/run-exporter.js";
import { validateTrainingRecord } from "../../exporters/training/ingest/validate-training-record.js";
import { MetricClassifier } from "../../exporters/training/model/metric-mapping.js";
import { createTrainingFamilies } from "../../exporters/training/model/training-families.js";
import { TrainingRuns } from "../../exporters/training/model/training-runs.js";
import {
  statisticsConfigSchema,
  statisticsPolicies,
} from "../../exporters/training/statistics/statistics-config.js";
import { COLLECTORS } from "../../exporters/collectors.js";
import type { Benchmark, BenchRow } from "../support/benchmark.js";
import { median } from "../support/benchmark.js";

const RECORDS = 1000;
const BUDGET = 200_000;
const BATCHES = 8;

/** Updates: 20 runs logging 10 metrics each, step after step. */
const UPDATE_RUNS = 20;
const UPDATE_METRICS = [
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

/**
 * New series: each record is a run seen for the first time, with 48 metrics (a Trainer's
 * loss, eval, lr, grad norm, throughput and 40 per-head metrics, as in the Star
 * trainer_state.json of the fixtures), so every point creates its series, and six of
 * them a judged stream each.
 */
const NEW_METRICS = [
  "loss",
  "eval_loss",
  "grad_norm",
  "learning_rate",
  "epoch",
  "train_samples_per_second",
  "train_tokens_per_second",
  "eval_accuracy",
  ...Array.from({ length: 20 }, (_, i) => `train/acc_${i}`),
  ...Array.from({ length: 20 }, (_, i) => `train/ploss_${i}`),
];

type Workload = "updates" | "new series";

function updateBatch(offset: number): string {
  const records = [];
  for (let i = 0; i < RECORDS; i++) {
    const metrics: Record<string, number | string> = {};
    for (const [k, name] of UPDATE_METRICS.entries())
      metrics[name] = k === 0 && i % 997 === 0 ? "NaN" : 1 + Math.random();
    records.push({
      run_id: `run-${i % UPDATE_RUNS}`,
      job_name: "llama-ft",
      step: offset + i,
      timestamp: 1_714_564_800 + offset + i,
      metrics,
    });
  }
  return JSON.stringify(records);
}

function newSeriesBatch(round: string, batch: number): string {
  const records = [];
  for (let i = 0; i < RECORDS; i++) {
    const metrics: Record<string, number> = {};
    for (const name of NEW_METRICS) metrics[name] = 1 + Math.random();
    records.push({
      run_id: `${round}-${batch}-${i}`,
      job_name: "sweep",
      step: 1,
      timestamp: 1_714_564_800,
      metrics,
    });
  }
  return JSON.stringify(records);
}

function pointsIn(workload: Workload): number {
  return RECORDS * (workload === "updates" ? UPDATE_METRICS.length : NEW_METRICS.length);
}

/** Batches of one round; new-series rounds name their runs afresh each time. */
function bodies(workload: Workload, round: string): string[] {
  return Array.from({ length: BATCHES }, (_, b) =>
    workload === "updates" ? updateBatch(b * RECORDS) : newSeriesBatch(round, b),
  );
}

function newRuns(statistics: boolean): TrainingRuns {
  const registry = new ExpositionRegistry(
    () => 10_000_000,
    () => undefined,
  );
  return new TrainingRuns(
    createTrainingFamilies(registry.scope("training")),
    new MetricClassifier(),
    {
      finishedRetentionMs: 3_600_000,
      idleRetentionMs: 86_400_000,
      maxRuns: 1_000_000,
      maxMetricsPerRun: 500,
      otherMetrics: true,
      statistics: statistics ? statisticsPolicies(statisticsConfigSchema.parse({})) : undefined,
    },
    Date.now,
  );
}

/** The path a request body takes after the socket: JSON.parse, validation, apply. */
function ingest(runs: TrainingRuns, text: string): void {
  for (const raw of JSON.parse(text) as unknown[]) {
    const checked = validateTrainingRecord(raw);
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    runs.apply(checked.value, "api");
  }
}

function inProcessRate(workload: Workload, statistics: boolean): number {
  const runs = newRuns(statistics);
  for (const body of bodies(workload, "warm")) ingest(runs, body);
  const rates: number[] = [];
  for (let round = 0; round < 9; round++) {
    const batches = bodies(workload, `r${round}`);
    const start = process.hrtime.bigint();
    for (const body of batches) ingest(runs, body);
    rates.push((batches.length * pointsIn(workload)) / elapsedSeconds(start));
  }
  return median(rates);
}

/** Heap bytes per run (48 metrics, statistics on or off), measured after collections. */
function bytesPerRun(statistics: boolean): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const runs = newRuns(statistics);
  const texts = bodies("new series", "memory");
  for (const body of texts) ingest(runs, body);
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / runs.size;
  if (runs.size !== texts.length * RECORDS) throw new Error("memory bench lost runs");
  return bytes;
}

/**
 * DESIGN.md: training ingest >= 200k points/s on one core, for updates and for new
 * series, with step-resolution statistics on. Each row runs with the statistics on
 * beside the same path with them off, in-process (the path a body takes after the
 * socket) and over HTTP (the real exporter with auth, its client in the same process, so
 * both share one core).
 */
export const trainingIngestBenchmark: Benchmark = {
  id: "training-ingest",
  name: "training ingest",
  part: "exporters",
  async run({ scratchDir, log }) {
    log(
      `updates: ${BATCHES} batches of ${RECORDS} records x ${UPDATE_METRICS.length} metrics over ${UPDATE_RUNS} runs; new series: ${BATCHES} batches of ${RECORDS} new runs x ${NEW_METRICS.length} metrics`,
    );
    const rows: BenchRow[] = [];
    const row = (what: string, on: number, off: number): BenchRow => ({
      what,
      value: on,
      unit: "points/s",
      baselineName: "statistics off",
      baseline: off,
      budget: ">= 200k points/s",
      withinBudget: on >= BUDGET,
    });
    for (const workload of ["updates", "new series"] as const)
      rows.push(
        row(
          `${workload}, in-process, statistics on`,
          inProcessRate(workload, true),
          inProcessRate(workload, false),
        ),
      );
    for (const workload of ["updates", "new series"] as const) {
      const on = await httpRate(scratchDir, workload, true);
      const off = await httpRate(scratchDir, workload, false);
      rows.push(row(`${workload}, over HTTP, statistics on`, on, off));
    }
    const memoryOn = bytesPerRun(true);
    const memoryOff = bytesPerRun(false);
    rows.push({
      what: `heap per run (${NEW_METRICS.length} metrics, 6 judged streams), statistics on`,
      value: memoryOn,
      unit: "bytes",
      baselineName: "statistics off",
      baseline: memoryOff,
      note: `statistics add ${Math.round(memoryOn - memoryOff)} bytes per run`,
    });
    return rows;
  },
};

async function httpRate(dir: string, workload: Workload, statistics: boolean): Promise<number> {
  const configFile = join(dir, `ingest-${statistics ? "on" : "off"}.yaml`);
  writeFileSync(
    configFile,
    "auth:\n  bearer_tokens: [{ env: BENCH_TOKEN }]\nlimits:\n  max_body_bytes: 67108864\n" +
      `collectors:\n  training:\n    max_runs: 1000000\n    statistics: { enabled: ${statistics} }\n`,
  );
  // Made before any request: under load, making them took longer than the server keeps
  // an idle connection open, and the client's next request met a closed socket.
  const warm = bodies(workload, "warm");
  const rounds = Array.from({ length: 5 }, (_, round) => bodies(workload, `r${round}`));
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
      const response = await fetchOrCause(`${started.url}/api/v1/training/events`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", authorization: "Bearer bench-token" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    for (const body of warm) await post(body);
    const rates: number[] = [];
    for (const batches of rounds) {
      const start = process.hrtime.bigint();
      // Two requests in flight, as a client with a small connection pool sends them.
      for (let i = 0; i < batches.length; i += 2)
        await Promise.all([post(batches[i] ?? ""), post(batches[i + 1] ?? batches[0] ?? "")]);
      rates.push((batches.length * pointsIn(workload)) / elapsedSeconds(start));
    }
    return median(rates);
  } finally {
    await started.stop();
  }
}

function elapsedSeconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** fetch, with the cause of a network failure in the message (undici hides it). */
async function fetchOrCause(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new Error(
      `${(error as Error).message}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}
