import type { CollectorDefinition } from "./collector.js";
import { driftCollector } from "./drift/collector/drift-collector.js";
import { gpuCollector } from "./gpu/gpu-collector.js";

/** Every collector the exporter can run, keyed by its section under `collectors:`. */
export const COLLECTORS: readonly CollectorDefinition[] = [gpuCollector(), driftCollector];
