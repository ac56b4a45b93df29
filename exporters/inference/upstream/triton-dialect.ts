import { labelValue } from "./normalisation-rules.js";
import type { UpstreamDialect } from "./normalisation-rules.js";

/**
 * NVIDIA Triton's /metrics (prometheus-cpp): counters without `_total`, latencies as
 * cumulative microsecond counters. See server/docs/user_guide/metrics.md.
 *
 * - Requests are successes plus failures; failures carry `reason` (REJECTED, CANCELED,
 *   BACKEND, OTHER) in newer releases, which becomes `class` (lower-cased; `error`
 *   before the label existed).
 * - `nv_inference_request_duration_us` over `nv_inference_request_success` becomes a
 *   histogram with only the +Inf bucket: its `_sum`/`_count` give the mean latency with
 *   the same query as every other server, but no quantiles (Triton does not export any
 *   by default).
 * - `nv_inference_first_response_histogram_ms` (opt-in, `--metrics-config
 *   histogram_latencies=true`) is time to the first *response*, which is the whole
 *   request for non-streaming models: it is exposed under its own name, not as time to
 *   first token.
 */
export const TRITON_DIALECT: UpstreamDialect = {
  modelLabel: "model",
  versionLabel: "version",
  rules: [
    {
      kind: "copy",
      target: "aiwatch_inference_requests_total",
      from: ["nv_inference_request_success", "nv_inference_request_failure"],
      use: "all",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_request_failures_total",
      from: ["nv_inference_request_failure"],
      use: "first",
      extra: (labels) => labelValue(labels, "reason")?.toLowerCase() || "error",
    },
    {
      kind: "sum_and_count",
      target: "aiwatch_inference_request_duration_seconds",
      sum: "nv_inference_request_duration_us",
      count: "nv_inference_request_success",
      scale: 1e-6,
    },
    {
      kind: "copy",
      target: "aiwatch_inference_time_to_first_response_seconds",
      from: ["nv_inference_first_response_histogram_ms"],
      use: "first",
      scale: 1e-3,
    },
    {
      kind: "copy",
      target: "aiwatch_inference_queue_seconds_total",
      from: ["nv_inference_queue_duration_us"],
      use: "first",
      scale: 1e-6,
    },
    ...(["input", "infer", "output"] as const).map((stage) => ({
      kind: "copy" as const,
      target: "aiwatch_inference_compute_seconds_total",
      from: [`nv_inference_compute_${stage}_duration_us`],
      use: "first" as const,
      scale: 1e-6,
      extra: () => stage,
    })),
    {
      kind: "copy",
      target: "aiwatch_inference_inferences_total",
      from: ["nv_inference_count"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_executions_total",
      from: ["nv_inference_exec_count"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_queued_requests",
      from: ["nv_inference_pending_request_count"],
      use: "first",
    },
  ],
};
