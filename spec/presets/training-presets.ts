import type { Preset } from "./preset.js";

/**
 * A run's series are told apart by `rank` too when each process of a distributed job
 * reports its own: grouped by it, a spike on one rank fires with that rank, and a
 * single-process run (no rank label) groups exactly as before.
 */
export const RUN = ["run_id", "job_name", "rank"];
export const GPU_EVIDENCE = ["gpu-xid-errors", "gpu-ecc-uncorrectable", "gpu-row-remap-failure"];

/** How far back the step-resolution presets count events (and so how long they fire). */
const EVENT_WINDOW = "10m";

/**
 * Events a per-run counter of the training collector recorded in the last 10 minutes.
 * Not increase(): a run's counter is often born already counting (an overflow reported
 * on the run's first line), and increase() never counts a series' first sample; a
 * series younger than the window is compared with 0 instead. The difference is exact
 * (no extrapolation), so the alert's value is the number of logged steps.
 */
export function eventsIn(selector: string, window = EVENT_WINDOW): string {
  return `${selector} - (${selector} offset ${window} or ${selector} * 0)`;
}

const run = "{{ $labels.run_id }} ({{ $labels.job_name }})";

/**
 * Training presets on the training collector's step-resolution statistics: counters of
 * what happened at every logged step (see the training docs), so a one-step spike
 * between two scrapes still fires, at any scrape interval. Each relates to the others
 * of the same run, so the receiver can name the likely cause (a grad-norm spike before
 * a divergence, overflows before a non-finite loss).
 */
export const TRAINING_PRESETS: readonly Preset[] = [
  {
    name: "training-loss-spike",
    what: "the train loss left its trailing robust band upwards at a logged step (last 10m)",
    related: [
      "training-grad-norm-spike",
      "training-loss-scale-collapse",
      "training-loss-not-finite",
      "learning-rate-changed",
      "feature-drift",
      "data-null-rate-rise",
      ...GPU_EVIDENCE,
    ],
    gpu: false,
    fields: () =>
      events({
        signal: eventsIn('aiwatch_training_outlier_steps_total{metric="loss",direction="up"}'),
        severity: "warning",
        summary: `Loss spike in run ${run} — logged steps above the trailing band in the last ${EVENT_WINDOW}: {{ $value }}`,
        description: `The train loss of run ${run} left its trailing robust band (median of the last logged steps plus the larger of 15% and 4 robust deviations) upwards. Logged steps above it in the last ${EVENT_WINDOW}: {{ $value }}. Layer: model.`,
      }),
  },
  {
    name: "training-loss-diverging",
    what: "the train loss level (median of 7 steps) rose 12% above its best of the last 1000 steps",
    related: [
      "training-grad-norm-spike",
      "training-loss-spike",
      "training-loss-scale-collapse",
      "training-loss-not-finite",
      "learning-rate-changed",
      "feature-drift",
    ],
    gpu: false,
    fields: () =>
      events({
        signal: eventsIn('aiwatch_training_degraded_steps_total{metric="loss"}'),
        severity: "critical",
        summary: `Loss diverging in run ${run} — logged steps above its recent best level in the last ${EVENT_WINDOW}: {{ $value }}`,
        description: `The train loss level of run ${run} (the median of its last logged steps) stayed more than 12% above its lowest level of the last 1000 logged steps: it is rising against its own recent minimum. Logged steps that far above it in the last ${EVENT_WINDOW}: {{ $value }}. Grad-norm spikes before it point at the optimizer. Layer: model.`,
      }),
  },
  {
    name: "training-grad-norm-spike",
    what: "the gradient norm jumped above 3x its trailing median at a logged step (last 10m)",
    related: [
      "training-loss-scale-collapse",
      "training-loss-not-finite",
      "learning-rate-changed",
      "feature-drift",
      "data-null-rate-rise",
      ...GPU_EVIDENCE,
    ],
    gpu: false,
    fields: () =>
      events({
        signal: eventsIn('aiwatch_training_outlier_steps_total{metric="grad_norm",direction="up"}'),
        severity: "warning",
        summary: `Grad-norm spike in run ${run} — logged steps above 3x the trailing median in the last ${EVENT_WINDOW}: {{ $value }}`,
        description: `The gradient norm of run ${run} jumped above three times its trailing median. Logged steps above it in the last ${EVENT_WINDOW}: {{ $value }}. Single spikes that recover are common; repeated ones often come before a divergence. Layer: model.`,
      }),
  },
  {
    name: "training-loss-scale-collapse",
    what: "fp16 overflows: at least 3 of the last 100 iterations were skipped (last 10m)",
    related: ["training-loss-not-finite", "training-grad-norm-spike", "learning-rate-changed"],
    gpu: false,
    fields: () =>
      events({
        signal: eventsIn("aiwatch_training_overflow_steps_total"),
        severity: "warning",
        summary: `Loss-scale overflows in run ${run} — logged steps with skipped iterations in the last ${EVENT_WINDOW}: {{ $value }}`,
        description: `Run ${run} skipped at least 3 of its last 100 iterations (mixed-precision overflows: the loss scale keeps halving). Logged steps with that many skipped in the last ${EVENT_WINDOW}: {{ $value }}. A healthy dynamic loss scale skips about one iteration in a thousand. Layer: model.`,
      }),
  },
  {
    name: "training-throughput-drop",
    what: "samples or tokens per second fell 30% below their best level of the last 64 steps",
    related: [
      "training-stalled",
      "gpu-throttling",
      "gpu-idle-while-job-runs",
      "data-stream-stopped",
      ...GPU_EVIDENCE,
    ],
    gpu: false,
    fields: () => ({
      ...events({
        signal: eventsIn(
          'aiwatch_training_degraded_steps_total{metric=~"samples_per_second|tokens_per_second"}',
        ),
        severity: "warning",
        summary: `Throughput drop in run ${run} — slow logged steps in the last ${EVENT_WINDOW}: {{ $value }}`,
        description: `The training throughput of run ${run} (samples or tokens per second, median of its last logged steps) was more than 30% below its best level of the last 64 logged steps. Slow logged steps in the last ${EVENT_WINDOW}: {{ $value }}. Layer: environment.`,
      }),
      layer: "environment",
    }),
  },
  {
    name: "training-eval-regression",
    what: "an evaluation loss rose (or score fell) 3% past its best of the last 1000 evaluations",
    related: [
      "training-loss-diverging",
      "training-loss-spike",
      "learning-rate-changed",
      "feature-drift",
    ],
    gpu: false,
    fields: () => ({
      ...events({
        signal: eventsIn('aiwatch_training_degraded_steps_total{metric=~"eval_.*"}'),
        severity: "warning",
        summary: `Eval regression in run ${run}: {{ $labels.metric }} worse than its best — evaluations that far off in the last ${EVENT_WINDOW}: {{ $value }}`,
        description: `The evaluation metric {{ $labels.metric }} of run ${run} was more than 3% worse than its best value of the last 1000 evaluations. Evaluations that far off in the last ${EVENT_WINDOW}: {{ $value }}. Layer: model.`,
      }),
      by: [...RUN, "metric"],
    }),
  },
  {
    name: "training-loss-not-finite",
    what: "a NaN or infinite loss was logged, or the trainer reported NaN iterations (last 10m)",
    related: [
      "training-loss-scale-collapse",
      "training-grad-norm-spike",
      "learning-rate-changed",
      ...GPU_EVIDENCE,
    ],
    gpu: false,
    fields: () =>
      events({
        signal: `${eventsIn('aiwatch_training_nonfinite_values_total{metric=~".*loss.*"}')} or ${eventsIn("aiwatch_training_nan_iterations_total")}`,
        severity: "critical",
        summary: `Non-finite loss in run ${run} — NaN or infinite values in the last ${EVENT_WINDOW}: {{ $value }}`,
        description: `Run ${run} logged NaN or infinite loss values, or iterations its trainer reported as NaN. Count in the last ${EVENT_WINDOW}: {{ $value }}. Counted by the exporter at every step, so vmalert (which drops NaN samples) sees them too. Layer: model.`,
      }),
  },
  {
    name: "training-stalled",
    what: "a running run logged nothing for 10x its own log interval (at least 5m)",
    related: [
      "training-throughput-drop",
      "gpu-idle-while-job-runs",
      "data-stream-stopped",
      ...GPU_EVIDENCE,
    ],
    gpu: false,
    fields: () => ({
      layer: "environment",
      // Joined on the rank as well: a rank that finished while the others run is not stalled.
      // The run's own cadence, not a fixed window: a 125 s Megatron iteration logged every
      // 10 iterations is not stalled after 20 minutes, a 0.2 s nanoGPT step is after 5.
      signal:
        '((time() - aiwatch_training_last_update_timestamp_seconds) / clamp_min(aiwatch_training_log_interval_seconds, 30) or (time() - aiwatch_training_last_update_timestamp_seconds) / 120) and on(run_id, job_name, rank) aiwatch_training_run_status{status="running"} == 1',
      by: RUN,
      aggregation: "max",
      detector: { type: "threshold", above: 10 },
      for: "0s",
      severity: "critical",
      summary: `Training stalled in run ${run}: nothing logged for {{ printf "%.0f" $value }} log intervals`,
      description: `Run ${run} is still reported as running but has logged nothing for {{ printf "%.0f" $value }} times its usual interval between logged steps (at least 30s each). Layer: environment.`,
    }),
  },
];

/** The fields every event preset shares: per run, fire on any event in the window. */
function events(fields: {
  readonly signal: string;
  readonly severity: string;
  readonly summary: string;
  readonly description: string;
}): Readonly<Record<string, unknown>> {
  return {
    layer: "model",
    by: RUN,
    aggregation: "sum",
    detector: { type: "threshold", above: 0 },
    for: "0s",
    ...fields,
  };
}
