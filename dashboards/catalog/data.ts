import { COUNT } from "../plan/units.js";
import type { RowPlan } from "../plan/dashboard-plan.js";

const MODEL = 'model=~"$model"';
const FEATURE = 'model=~"$model", feature=~"$feature"';
const perRow = (counter: string, by: string): string =>
  `sum by (${by}) (rate(${counter}[$__rate_interval])) / on(model) group_left sum by (model) (rate(aiwatch_data_rows_total{${MODEL}}[$__rate_interval]))`;

/** Data quality and drift, filtered by model and feature. */
export const DATA_ROWS: readonly RowPlan[] = [
  {
    title: "Drift",
    panels: [
      {
        title: "Drift score per feature, with its threshold",
        kind: "timeseries",
        unit: COUNT,
        queries: [
          { expr: `aiwatch_data_drift_score{${FEATURE}}`, legend: "{{feature}} {{method}}" },
          { expr: `aiwatch_data_drift_threshold{${FEATURE}}`, legend: "{{feature}} threshold" },
        ],
      },
      {
        title: "Share of drifted features",
        kind: "timeseries",
        unit: "percentunit",
        queries: [{ expr: `aiwatch_data_drifted_features_ratio{${MODEL}}`, legend: "{{model}}" }],
      },
      {
        title: "Dataset drift detected",
        kind: "timeseries",
        unit: "bool_yes_no",
        queries: [{ expr: `aiwatch_data_dataset_drift_detected{${MODEL}}`, legend: "{{model}}" }],
      },
      {
        title: "Samples in the window",
        kind: "timeseries",
        unit: COUNT,
        queries: [{ expr: `aiwatch_data_drift_window_samples{${FEATURE}}`, legend: "{{feature}}" }],
      },
    ],
  },
  {
    title: "Quality",
    panels: [
      {
        title: "Rows per second",
        kind: "timeseries",
        unit: "suffix: rows/s",
        queries: [
          {
            expr: `sum by (model) (rate(aiwatch_data_rows_total{${MODEL}}[$__rate_interval]))`,
            legend: "{{model}}",
          },
        ],
      },
      {
        title: "Null rate per feature",
        kind: "timeseries",
        unit: "percentunit",
        queries: [
          {
            expr: perRow(`aiwatch_data_null_values_total{${FEATURE}}`, "model, feature"),
            legend: "{{feature}}",
          },
        ],
      },
      {
        title: "Out-of-range rate per feature",
        kind: "timeseries",
        unit: "percentunit",
        queries: [
          {
            expr: perRow(`aiwatch_data_out_of_range_values_total{${FEATURE}}`, "model, feature"),
            legend: "{{feature}}",
          },
        ],
      },
      {
        title: "Schema violations",
        kind: "timeseries",
        unit: "suffix: /s",
        queries: [
          {
            expr: `sum by (model, kind) (rate(aiwatch_data_schema_violations_total{${MODEL}}[$__rate_interval]))`,
            legend: "{{model}} {{kind}}",
          },
        ],
      },
    ],
  },
];
