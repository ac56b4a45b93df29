/**
 * `aiwatch/inference`: request metrics for a Node inference service (Express middleware
 * or a node:http wrapper) and the client for the exporter's ground-truth join.
 */
export {
  createInferenceMetrics,
  DEFAULT_DURATION_BUCKETS,
  DEFAULT_TIME_TO_FIRST_TOKEN_BUCKETS,
} from "./middleware/inference-metrics.js";
export type {
  InferenceMetrics,
  InferenceMetricsOptions,
  ModelLabels,
} from "./middleware/inference-metrics.js";
export type { InferenceRequest } from "./middleware/request-tracker.js";
export { classifyStatus } from "./middleware/failure-class.js";
export { DEFAULT_IGNORED_PATHS } from "./middleware/ignored-paths.js";
export { GroundTruthClient } from "./client/ground-truth-client.js";
export type {
  GroundTruthClientOptions,
  LabelRecord,
  PredictionRecord,
} from "./client/ground-truth-client.js";
export type { PostResult } from "../training/client/post-json.js";
