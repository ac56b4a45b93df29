import { COUNT } from "../plan/units.js";
import type { RowPlan } from "../plan/dashboard-plan.js";

const MODEL = 'model=~"$model"';
const quantile = (q: number, metric: string): string =>
  `histogram_quantile(${q}, sum by (le, model) (rate(${metric}_bucket{${MODEL}}[$__rate_interval])))`;

/** Inference services: latency, errors, tokens and accuracy, filtered by model. */
export const INFERENCE_ROWS: readonly RowPlan[] = [
  {
    title: "Latency and errors",
    panels: [
      {
        title: "Request latency quantiles",
        kind: "timeseries",
        unit: "s",
        queries: [0.5, 0.9, 0.99].map((q) => ({
          expr: quantile(q, "aiwatch_inference_request_duration_seconds"),
          legend: `{{model}} p${q * 100}`,
        })),
      },
      {
        title: "Requests and failures",
        kind: "timeseries",
        unit: "reqps",
        queries: [
          {
            expr: `sum by (model) (rate(aiwatch_inference_requests_total{${MODEL}}[$__rate_interval]))`,
            legend: "{{model}} requests",
          },
          {
            expr: `sum by (model, class) (rate(aiwatch_inference_request_failures_total{${MODEL}}[$__rate_interval]))`,
            legend: "{{model}} {{class}}",
          },
        ],
      },
      {
        title: "Error ratio",
        kind: "timeseries",
        unit: "percentunit",
        queries: [
          {
            expr: `sum by (model) (rate(aiwatch_inference_request_failures_total{${MODEL}}[$__rate_interval])) / sum by (model) (rate(aiwatch_inference_requests_total{${MODEL}}[$__rate_interval]))`,
            legend: "{{model}}",
          },
        ],
      },
      {
        title: "In-flight requests",
        kind: "timeseries",
        unit: COUNT,
        queries: [
          {
            expr: `sum by (model) (aiwatch_inference_in_flight_requests{${MODEL}})`,
            legend: "{{model}}",
          },
        ],
      },
    ],
  },
  {
    title: "Tokens and accuracy",
    panels: [
      {
        title: "Tokens per second",
        kind: "timeseries",
        unit: "suffix: tokens/s",
        queries: [
          {
            expr: `sum by (model) (rate(aiwatch_inference_prompt_tokens_total{${MODEL}}[$__rate_interval]))`,
            legend: "{{model}} prompt",
          },
          {
            expr: `sum by (model) (rate(aiwatch_inference_generated_tokens_total{${MODEL}}[$__rate_interval]))`,
            legend: "{{model}} generated",
          },
        ],
      },
      {
        title: "Time to first token p90",
        kind: "timeseries",
        unit: "s",
        queries: [
          {
            expr: quantile(0.9, "aiwatch_inference_time_to_first_token_seconds"),
            legend: "{{model}}",
          },
        ],
      },
      {
        title: "Accuracy once ground truth arrives (1h)",
        kind: "timeseries",
        unit: "percentunit",
        queries: [
          {
            expr: `sum by (model) (increase(aiwatch_inference_predictions_correct_total{${MODEL}}[1h])) / sum by (model) (increase(aiwatch_inference_predictions_labelled_total{${MODEL}}[1h]))`,
            legend: "{{model}}",
          },
        ],
      },
      {
        title: "Predictions waiting for a label",
        kind: "timeseries",
        unit: COUNT,
        queries: [
          {
            expr: `sum by (model) (aiwatch_inference_predictions_pending{${MODEL}})`,
            legend: "{{model}}",
          },
        ],
      },
    ],
  },
];
