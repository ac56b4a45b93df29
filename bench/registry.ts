import type { Benchmark } from "./support/benchmark.js";
import { rulegenCompileBenchmark } from "./rulegen/compile.bench.js";
import { rulegenEvalCostBenchmark } from "./rulegen/eval-cost.bench.js";
import { anomalyEvalCostBenchmark } from "./rulegen/anomaly-eval-cost.bench.js";
import { detectionQualityBenchmark } from "./rulegen/detection-quality.bench.js";
import { syntheticQualityBenchmark } from "./rulegen/quality.bench.js";
import { driftUpdateBenchmark } from "./exporters/drift/drift-update.bench.js";
import { driftHttpIngestBenchmark } from "./exporters/drift/drift-http-ingest.bench.js";
import { metricsRenderBenchmark } from "./exporters/metrics-render.bench.js";
import { trainingIngestBenchmark } from "./exporters/training-ingest.bench.js";
import { receiverAckBenchmark } from "./webhook-receiver/ack.bench.js";
import { receiverAlertToChatBenchmark } from "./webhook-receiver/alert-to-chat.bench.js";
import { receiverIncidentPageBenchmark } from "./webhook-receiver/incident-page.bench.js";
import { pythonClientBenchmark } from "./clients/python-client.bench.js";

/** Every benchmark `npm run bench` runs, in order. Add yours here. */
export const BENCHMARKS: readonly Benchmark[] = [
  rulegenCompileBenchmark,
  rulegenEvalCostBenchmark,
  anomalyEvalCostBenchmark,
  detectionQualityBenchmark,
  syntheticQualityBenchmark,
  driftUpdateBenchmark,
  driftHttpIngestBenchmark,
  trainingIngestBenchmark,
  metricsRenderBenchmark,
  receiverAckBenchmark,
  receiverAlertToChatBenchmark,
  receiverIncidentPageBenchmark,
  pythonClientBenchmark,
];
