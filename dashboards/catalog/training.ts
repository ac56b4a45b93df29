import { COUNT } from "../plan/units.js";
import type { RowPlan } from "../plan/dashboard-plan.js";

const RUN = 'run_id=~"$run_id", job_name=~"$job_name", rank=~"$rank"';

/**
 * Training runs: what the training collector exposes, filtered by run, job and rank. The
 * legends name the rank after the run ("llama-ft-42 1") for runs whose ranks report their
 * own series; Grafana writes nothing for a run without the label.
 */
export const TRAINING_ROWS: readonly RowPlan[] = [
  {
    title: "Loss and evaluation",
    panels: [
      {
        title: "Loss by phase",
        kind: "timeseries",
        unit: COUNT,
        queries: [
          { expr: `aiwatch_training_loss{${RUN}}`, legend: "{{run_id}} {{rank}} {{phase}}" },
        ],
      },
      {
        title: "Evaluation metrics",
        kind: "timeseries",
        unit: COUNT,
        queries: [
          {
            expr: `aiwatch_training_eval_metric{${RUN}}`,
            legend: "{{run_id}} {{rank}} {{metric}}",
          },
        ],
      },
      {
        title: "Learning rate",
        kind: "timeseries",
        unit: "sci",
        queries: [
          { expr: `aiwatch_training_learning_rate{${RUN}}`, legend: "{{run_id}} {{rank}}" },
        ],
      },
      {
        title: "Gradient norm",
        kind: "timeseries",
        unit: COUNT,
        queries: [{ expr: `aiwatch_training_grad_norm{${RUN}}`, legend: "{{run_id}} {{rank}}" }],
      },
    ],
  },
  {
    title: "Progress and throughput",
    panels: [
      {
        title: "Step progress",
        kind: "timeseries",
        unit: "percentunit",
        queries: [
          {
            expr: `aiwatch_training_step{${RUN}} / aiwatch_training_max_steps{${RUN}}`,
            legend: "{{run_id}} {{rank}}",
          },
        ],
      },
      {
        title: "Throughput",
        kind: "timeseries",
        unit: "suffix: /s",
        queries: [
          {
            expr: `aiwatch_training_samples_per_second{${RUN}}`,
            legend: "{{run_id}} {{rank}} samples/s",
          },
          {
            expr: `aiwatch_training_tokens_per_second{${RUN}}`,
            legend: "{{run_id}} {{rank}} tokens/s",
          },
        ],
      },
      {
        title: "Seconds since the last update",
        kind: "timeseries",
        unit: "s",
        queries: [
          {
            expr: `time() - aiwatch_training_last_update_timestamp_seconds{${RUN}}`,
            legend: "{{run_id}} {{rank}}",
          },
        ],
      },
      {
        title: "Non-finite values",
        kind: "timeseries",
        unit: COUNT,
        queries: [
          {
            expr: `increase(aiwatch_training_nonfinite_values_total{${RUN}}[$__rate_interval])`,
            legend: "{{run_id}} {{rank}} {{metric}}",
          },
        ],
      },
      {
        title: "Run status",
        kind: "timeseries",
        unit: "none",
        queries: [
          {
            expr: `aiwatch_training_run_status{${RUN}} == 1`,
            legend: "{{run_id}} {{rank}} {{status}}",
          },
        ],
      },
    ],
  },
];
