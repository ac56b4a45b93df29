import type { Benchmark } from "./support/benchmark.js";
import { rulegenCompileBenchmark } from "./rulegen/compile.bench.js";
import { metricsRenderBenchmark } from "./exporters/metrics-render.bench.js";
import { trainingIngestBenchmark } from "./exporters/training-ingest.bench.js";

/** Every benchmark `npm run bench` runs, in order. Add yours here. */
export const BENCHMARKS: readonly Benchmark[] = [
  rulegenCompileBenchmark,
  trainingIngestBenchmark,
  metricsRenderBenchmark,
];
