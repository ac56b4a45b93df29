import type { FamilyFactory } from "../../exposition/exposition-registry.js";
import type { ScalarFamily } from "../../exposition/scalar-family.js";

type Run = "run_id" | "job_name";

/** Every family the training collector writes, created once per collector start. */
export interface TrainingFamilies {
  readonly loss: ScalarFamily<Run | "phase">;
  readonly evalMetric: ScalarFamily<Run | "metric">;
  readonly learningRate: ScalarFamily<Run>;
  readonly gradNorm: ScalarFamily<Run>;
  readonly step: ScalarFamily<Run>;
  readonly maxSteps: ScalarFamily<Run>;
  readonly epoch: ScalarFamily<Run>;
  readonly samplesPerSecond: ScalarFamily<Run>;
  readonly tokensPerSecond: ScalarFamily<Run>;
  readonly otherMetric: ScalarFamily<Run | "metric">;
  readonly lastUpdate: ScalarFamily<Run>;
  readonly nonFinite: ScalarFamily<Run | "metric">;
  readonly runInfo: ScalarFamily<Run | "source">;
  readonly runStatus: ScalarFamily<Run | "status">;
  readonly points: ScalarFamily<"source">;
  readonly runs: ScalarFamily<"status">;
  readonly stepTime: ScalarFamily<Run>;
  readonly lossScale: ScalarFamily<Run>;
  readonly skippedIterations: ScalarFamily<Run>;
  readonly nanIterations: ScalarFamily<Run>;
  readonly overflowSteps: ScalarFamily<Run>;
  readonly logInterval: ScalarFamily<Run>;
  readonly outlierSteps: ScalarFamily<Run | "metric" | "direction">;
  readonly degradedSteps: ScalarFamily<Run | "metric">;
  readonly windowMedian: ScalarFamily<Run | "metric">;
  readonly windowMin: ScalarFamily<Run | "metric">;
  readonly windowMax: ScalarFamily<Run | "metric">;
}

const RUN = ["run_id", "job_name"] as const;

export function createTrainingFamilies(families: FamilyFactory): TrainingFamilies {
  const gauge = <L extends string = never>(
    name: string,
    help: string,
    extra: readonly L[] = [],
  ): ScalarFamily<Run | L> =>
    families.gauge<Run | L>({ name, help, labelNames: [...RUN, ...extra] });
  const loss = gauge("aiwatch_training_loss", "Latest loss of the run, by phase.", ["phase"]);
  const evalMetric = gauge(
    "aiwatch_training_eval_metric",
    "Latest evaluation metric of the run, by metric name (eval_accuracy is metric=accuracy).",
    ["metric"],
  );
  const learningRate = gauge("aiwatch_training_learning_rate", "Latest learning rate.");
  const gradNorm = gauge("aiwatch_training_grad_norm", "Latest gradient norm.");
  const step = gauge("aiwatch_training_step", "Latest optimizer step logged.");
  const maxSteps = gauge("aiwatch_training_max_steps", "Steps the run is configured to take.");
  const epoch = gauge("aiwatch_training_epoch", "Latest epoch logged (fractional).");
  const samplesPerSecond = gauge(
    "aiwatch_training_samples_per_second",
    "Latest training throughput in samples per second.",
  );
  const tokensPerSecond = gauge(
    "aiwatch_training_tokens_per_second",
    "Latest training throughput in tokens per second.",
  );
  const otherMetric = gauge(
    "aiwatch_training_metric",
    "Latest value of a logged metric aiwatch has no dedicated family for, by its logged name.",
    ["metric"],
  );
  const lastUpdate = families.gauge<Run>({
    name: "aiwatch_training_last_update_timestamp_seconds",
    help: "When the run last logged a point (the point's own time when the source records it).",
    labelNames: [...RUN],
    unit: "seconds",
  });
  const nonFinite = families.counter<Run | "metric">({
    name: "aiwatch_training_nonfinite_values_total",
    help: "NaN or infinite values logged, by metric name.",
    labelNames: [...RUN, "metric"],
  });
  const runInfo = gauge(
    "aiwatch_training_run_info",
    "Constant 1 for each tracked run, labelled by where its points come from.",
    ["source"],
  );
  const runStatus = gauge(
    "aiwatch_training_run_status",
    "1 for the run's current status, 0 for the others.",
    ["status"],
  );
  return {
    loss,
    evalMetric,
    learningRate,
    gradNorm,
    step,
    maxSteps,
    epoch,
    samplesPerSecond,
    tokensPerSecond,
    otherMetric,
    lastUpdate,
    nonFinite,
    runInfo,
    runStatus,
    points: families.counter({
      name: "aiwatch_training_points_total",
      help: "Metric values accepted, by source (api, hf_trainer_state, lightning_csv, ...).",
      labelNames: ["source"],
    }),
    runs: families.gauge({
      name: "aiwatch_training_runs",
      help: "Runs currently tracked, by status.",
      labelNames: ["status"],
    }),
    ...createStepFamilies(families, gauge),
  };
}

type StepFamilies = Pick<
  TrainingFamilies,
  | "stepTime"
  | "lossScale"
  | "skippedIterations"
  | "nanIterations"
  | "overflowSteps"
  | "logInterval"
  | "outlierSteps"
  | "degradedSteps"
  | "windowMedian"
  | "windowMin"
  | "windowMax"
>;

/**
 * The step-resolution families: what happened at every logged step, kept as counters so
 * that Prometheus sees a one-step event whatever its scrape interval (see the training
 * docs for each series and its cost).
 */
function createStepFamilies(
  families: FamilyFactory,
  gauge: <L extends string = never>(
    name: string,
    help: string,
    extra?: readonly L[],
  ) => ScalarFamily<Run | L>,
): StepFamilies {
  const counter = <L extends string = never>(
    name: string,
    help: string,
    extra: readonly L[] = [],
  ): ScalarFamily<Run | L> =>
    families.counter<Run | L>({ name, help, labelNames: [...RUN, ...extra] });
  return {
    stepTime: families.gauge<Run>({
      name: "aiwatch_training_step_time_seconds",
      help: "Latest wall time per optimizer step, as the trainer logged it.",
      labelNames: [...RUN],
      unit: "seconds",
    }),
    lossScale: gauge(
      "aiwatch_training_loss_scale",
      "Latest mixed-precision loss scale (Megatron, DeepSpeed).",
    ),
    skippedIterations: counter(
      "aiwatch_training_skipped_iterations_total",
      "Iterations the optimizer skipped (fp16 loss-scale overflows), as the trainer reported them.",
    ),
    nanIterations: counter(
      "aiwatch_training_nan_iterations_total",
      "Iterations the trainer reported a NaN loss or gradient for.",
    ),
    overflowSteps: counter(
      "aiwatch_training_overflow_steps_total",
      "Logged steps at which too many of the recent iterations were skipped (statistics.overflow).",
    ),
    logInterval: families.gauge<Run>({
      name: "aiwatch_training_log_interval_seconds",
      help: "Median wall time between the run's recent logged steps.",
      labelNames: [...RUN],
      unit: "seconds",
    }),
    outlierSteps: counter(
      "aiwatch_training_outlier_steps_total",
      "Logged steps whose value left the trailing robust band of the metric, by direction.",
      ["metric", "direction"],
    ),
    degradedSteps: counter(
      "aiwatch_training_degraded_steps_total",
      "Logged steps at which the metric's level was worse than its best recent level.",
      ["metric"],
    ),
    windowMedian: gauge(
      "aiwatch_training_window_median",
      "Median of the metric over its last logged steps (statistics.window): the band's centre.",
      ["metric"],
    ),
    windowMin: gauge(
      "aiwatch_training_window_min",
      "Lowest value of the metric over its last logged steps (statistics.window).",
      ["metric"],
    ),
    windowMax: gauge(
      "aiwatch_training_window_max",
      "Highest value of the metric over its last logged steps (statistics.window).",
      ["metric"],
    ),
  };
}
