import type { FamilyFactory } from "../../exposition/exposition-registry.js";
import type { ScalarFamily } from "../../exposition/scalar-family.js";

/** Every metric family the drift collector writes; see the metrics table in docs/drift.md. */
export interface DriftMetrics {
  readonly score: ScalarFamily<"model" | "feature" | "method">;
  readonly pValue: ScalarFamily<"model" | "feature" | "method">;
  readonly threshold: ScalarFamily<"model" | "feature" | "method">;
  readonly detected: ScalarFamily<"model" | "feature" | "method">;
  readonly windowSamples: ScalarFamily<"model" | "feature">;
  readonly referenceSamples: ScalarFamily<"model" | "feature">;
  readonly driftedShare: ScalarFamily<"model">;
  readonly scoredFeatures: ScalarFamily<"model">;
  readonly datasetDrift: ScalarFamily<"model">;
  readonly referenceInfo: ScalarFamily<"model" | "version" | "content_hash">;
  readonly lastEvaluation: ScalarFamily<"model">;
  readonly rows: ScalarFamily<"model">;
  readonly nulls: ScalarFamily<"model" | "feature">;
  readonly outOfRange: ScalarFamily<"model" | "feature">;
  readonly schemaViolations: ScalarFamily<"model" | "feature" | "kind">;
  readonly featureLabelsDropped: ScalarFamily<"model">;
}

export function createDriftMetrics(families: FamilyFactory): DriftMetrics {
  const perMethod = ["model", "feature", "method"] as const;
  const perFeature = ["model", "feature"] as const;
  return {
    score: families.gauge({
      name: "aiwatch_data_drift_score",
      help: "Drift of a feature's live window from its reference, by method (PSI, KS D, normed Wasserstein, Jensen-Shannon distance, chi-square statistic).",
      labelNames: perMethod,
    }),
    pValue: families.gauge({
      name: "aiwatch_data_drift_p_value",
      help: "P-value of the drift test (ks, chisquare): the chance of a difference this large without drift.",
      labelNames: perMethod,
    }),
    threshold: families.gauge({
      name: "aiwatch_data_drift_threshold",
      help: "Threshold the detected flag uses: a p-value bound for ks and chisquare (drift below it), a score bound for the others (drift at or above it).",
      labelNames: perMethod,
    }),
    detected: families.gauge({
      name: "aiwatch_data_drift_detected",
      help: "1 if the method detects drift in the feature, else 0.",
      labelNames: perMethod,
    }),
    windowSamples: families.gauge({
      name: "aiwatch_data_drift_window_samples",
      help: "Non-null values of the feature in the live window.",
      labelNames: perFeature,
    }),
    referenceSamples: families.gauge({
      name: "aiwatch_data_drift_reference_samples",
      help: "Non-null values of the feature in the reference.",
      labelNames: perFeature,
    }),
    driftedShare: families.gauge({
      name: "aiwatch_data_drifted_features_ratio",
      help: "Share of the scored features whose first method detects drift.",
      labelNames: ["model"],
    }),
    scoredFeatures: families.gauge({
      name: "aiwatch_data_drift_scored_features",
      help: "Features with enough samples to be scored.",
      labelNames: ["model"],
    }),
    datasetDrift: families.gauge({
      name: "aiwatch_data_dataset_drift_detected",
      help: "1 if the share of drifted features reaches the model's drift_share, else 0.",
      labelNames: ["model"],
    }),
    referenceInfo: families.gauge({
      name: "aiwatch_data_reference_info",
      help: "The reference profile in use (constant 1): its version label and content hash.",
      labelNames: ["model", "version", "content_hash"],
    }),
    lastEvaluation: families.gauge({
      name: "aiwatch_data_drift_last_evaluation_timestamp_seconds",
      help: "When the model's drift scores were last computed.",
      labelNames: ["model"],
      unit: "seconds",
    }),
    rows: families.counter({
      name: "aiwatch_data_rows_total",
      help: "Records received for the model.",
      labelNames: ["model"],
    }),
    nulls: families.counter({
      name: "aiwatch_data_null_values_total",
      help: "Null values received, by feature.",
      labelNames: perFeature,
    }),
    outOfRange: families.counter({
      name: "aiwatch_data_out_of_range_values_total",
      help: "Numeric values outside the feature's range (the reference's min and max, or the configured range).",
      labelNames: perFeature,
    }),
    schemaViolations: families.counter({
      name: "aiwatch_data_schema_violations_total",
      help: "Values that break the reference's schema, by kind: missing_column, unexpected_column, type_mismatch, unseen_category.",
      labelNames: ["model", "feature", "kind"],
    }),
    featureLabelsDropped: families.counter({
      name: "aiwatch_data_feature_labels_dropped_total",
      help: 'Unexpected columns beyond max_unexpected_columns, counted under feature="__other__" instead of their own name.',
      labelNames: ["model"],
    }),
  };
}
