import type { FamilyFactory } from "../../exposition/exposition-registry.js";
import type { HistogramFamily } from "../../exposition/histogram-family.js";
import type { ScalarFamily } from "../../exposition/scalar-family.js";

type Model = "model" | "model_version";

export interface GroundTruthFamilies {
  readonly predictions: ScalarFamily<Model>;
  readonly labelled: ScalarFamily<Model>;
  readonly correct: ScalarFamily<Model>;
  readonly labelDelay: HistogramFamily<Model>;
  readonly expired: ScalarFamily<Model>;
  readonly evicted: ScalarFamily<Model>;
  readonly pending: ScalarFamily<Model>;
  readonly unmatchedLabels: ScalarFamily<never>;
}

/** Ground truth arrives minutes to weeks after a prediction: buckets from a second to a week. */
export const LABEL_DELAY_BUCKETS = [
  1, 10, 60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 259200, 604800,
];

const MODEL = ["model", "model_version"] as const;

export function createGroundTruthFamilies(families: FamilyFactory): GroundTruthFamilies {
  const counter = (name: string, help: string) =>
    families.counter<Model>({ name, help, labelNames: [...MODEL] });
  return {
    predictions: counter(
      "aiwatch_inference_predictions_total",
      "Predictions recorded for the ground-truth join.",
    ),
    labelled: counter(
      "aiwatch_inference_predictions_labelled_total",
      "Predictions whose ground truth arrived.",
    ),
    correct: counter(
      "aiwatch_inference_predictions_correct_total",
      "Labelled predictions that matched their ground truth (accuracy = rate(correct) / rate(labelled)).",
    ),
    labelDelay: families.histogram<Model>({
      name: "aiwatch_inference_label_delay_seconds",
      help: "Time from a prediction to its ground truth.",
      labelNames: [...MODEL],
      buckets: LABEL_DELAY_BUCKETS,
      unit: "seconds",
    }),
    expired: counter(
      "aiwatch_inference_predictions_expired_total",
      "Predictions dropped unlabelled after the ground-truth TTL.",
    ),
    evicted: counter(
      "aiwatch_inference_predictions_evicted_total",
      "Unlabelled predictions dropped, oldest first, because max_pending was reached.",
    ),
    pending: families.gauge<Model>({
      name: "aiwatch_inference_predictions_pending",
      help: "Predictions waiting for their ground truth.",
      labelNames: [...MODEL],
    }),
    unmatchedLabels: families.counter<never>({
      name: "aiwatch_inference_labels_unmatched_total",
      help: "Ground-truth labels for no pending prediction (unknown, expired, evicted or already labelled).",
      labelNames: [],
    }),
  };
}
