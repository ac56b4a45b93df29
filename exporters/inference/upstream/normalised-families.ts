import type { FamilyFactory } from "../../exposition/exposition-registry.js";
import type { SnapshotFamily } from "../../exposition/snapshot-family.js";

/** The aiwatch families upstream servers are re-exposed under. */
interface NormalisedFamilySpec {
  readonly name: string;
  readonly type: "counter" | "gauge" | "histogram";
  readonly help: string;
  /** A label besides model, model_version and server. */
  readonly extraLabel?: "class" | "stage";
  readonly unit?: "seconds" | "ratio";
}

export const NORMALISED_FAMILIES: readonly NormalisedFamilySpec[] = [
  {
    name: "aiwatch_inference_requests_total",
    type: "counter",
    help: "Requests finished by the server.",
  },
  {
    name: "aiwatch_inference_request_failures_total",
    type: "counter",
    help: "Requests that failed, by class.",
    extraLabel: "class",
  },
  {
    name: "aiwatch_inference_request_duration_seconds",
    type: "histogram",
    help: "End-to-end request latency.",
    unit: "seconds",
  },
  {
    name: "aiwatch_inference_time_to_first_token_seconds",
    type: "histogram",
    help: "Time from request to the first generated token.",
    unit: "seconds",
  },
  {
    name: "aiwatch_inference_time_to_first_response_seconds",
    type: "histogram",
    help: "Time from request to the first response (Triton; the whole request for non-streaming models).",
    unit: "seconds",
  },
  {
    name: "aiwatch_inference_time_per_output_token_seconds",
    type: "histogram",
    help: "Time between generated tokens.",
    unit: "seconds",
  },
  {
    name: "aiwatch_inference_queue_duration_seconds",
    type: "histogram",
    help: "Time requests waited in the server's queue.",
    unit: "seconds",
  },
  {
    name: "aiwatch_inference_queue_seconds_total",
    type: "counter",
    help: "Cumulative time requests waited in the server's queue.",
    unit: "seconds",
  },
  {
    name: "aiwatch_inference_compute_seconds_total",
    type: "counter",
    help: "Cumulative time spent computing, by stage (input, infer, output).",
    extraLabel: "stage",
    unit: "seconds",
  },
  {
    name: "aiwatch_inference_prompt_tokens_total",
    type: "counter",
    help: "Prompt tokens processed.",
  },
  { name: "aiwatch_inference_generated_tokens_total", type: "counter", help: "Tokens generated." },
  {
    name: "aiwatch_inference_in_flight_requests",
    type: "gauge",
    help: "Requests being served or waiting to be.",
  },
  {
    name: "aiwatch_inference_queued_requests",
    type: "gauge",
    help: "Requests waiting to be served.",
  },
  {
    name: "aiwatch_inference_kv_cache_usage_ratio",
    type: "gauge",
    help: "Fraction of the KV cache in use (0-1).",
    unit: "ratio",
  },
  {
    name: "aiwatch_inference_preemptions_total",
    type: "counter",
    help: "Requests preempted by the scheduler.",
  },
  {
    name: "aiwatch_inference_inferences_total",
    type: "counter",
    help: "Inferences performed (a batch of n counts n).",
  },
  {
    name: "aiwatch_inference_executions_total",
    type: "counter",
    help: "Model executions (batches) run.",
  },
];

export const UPSTREAM_LABELS = ["model", "model_version", "server"] as const;

/** Registers the normalised families; keyed by name. */
export function createNormalisedFamilies(families: FamilyFactory): Map<string, SnapshotFamily> {
  return new Map(
    NORMALISED_FAMILIES.map((spec) => [
      spec.name,
      families.snapshot({
        name: spec.name,
        help: spec.help,
        type: spec.type,
        unit: spec.unit,
        labelNames: [...UPSTREAM_LABELS, ...(spec.extraLabel ? [spec.extraLabel] : [])],
      }),
    ]),
  );
}
