import { labelValue } from "./normalisation-rules.js";
import type { UpstreamDialect } from "./normalisation-rules.js";

/**
 * vLLM's /metrics (prometheus_client, names prefixed `vllm:`; both the V0 and the V1
 * engine's names). See https://docs.vllm.ai/en/latest/usage/metrics.html and
 * vllm/docs/design/metrics.md. `request_success_total` counts finished requests by
 * `finished_reason` (stop, length, abort): all of them are requests, `abort` ones are
 * failures of class `aborted`.
 */
export const VLLM_DIALECT: UpstreamDialect = {
  modelLabel: "model_name",
  versionLabel: undefined,
  rules: [
    {
      kind: "copy",
      target: "aiwatch_inference_requests_total",
      from: ["vllm:request_success_total"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_request_failures_total",
      from: ["vllm:request_success_total"],
      use: "first",
      where: (labels) => labelValue(labels, "finished_reason") === "abort",
      extra: () => "aborted",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_request_duration_seconds",
      from: ["vllm:e2e_request_latency_seconds"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_time_to_first_token_seconds",
      from: ["vllm:time_to_first_token_seconds"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_time_per_output_token_seconds",
      from: ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_queue_duration_seconds",
      from: ["vllm:request_queue_time_seconds"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_prompt_tokens_total",
      from: ["vllm:prompt_tokens_total"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_generated_tokens_total",
      from: ["vllm:generation_tokens_total"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_in_flight_requests",
      from: ["vllm:num_requests_running", "vllm:num_requests_waiting"],
      use: "all",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_queued_requests",
      from: ["vllm:num_requests_waiting"],
      use: "first",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_kv_cache_usage_ratio",
      from: ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"],
      use: "first",
      aggregate: "max",
    },
    {
      kind: "copy",
      target: "aiwatch_inference_preemptions_total",
      from: ["vllm:num_preemptions_total"],
      use: "first",
    },
  ],
};
