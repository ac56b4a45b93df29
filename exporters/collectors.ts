import type { CollectorDefinition } from "./collector.js";
import { driftCollector } from "./drift/collector/drift-collector.js";
import { gpuCollector } from "./gpu/gpu-collector.js";
import { inferenceCollector } from "./inference/inference-collector.js";
import { trainingCollector } from "./training/training-collector.js";

/** Every collector the exporter can run, keyed by its section under `collectors:`. */
export const COLLECTORS: readonly CollectorDefinition[] = [
  trainingCollector,
  inferenceCollector,
  gpuCollector(),
  driftCollector,
];
