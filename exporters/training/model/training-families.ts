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
  };
}
