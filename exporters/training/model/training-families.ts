import type { FamilyFactory } from "../../exposition/exposition-registry.js";
import type { GroupFamily, GroupSample } from "../../exposition/group-family.js";
import type { LabelValues } from "../../exposition/family.js";
import type { ScalarFamily } from "../../exposition/scalar-family.js";
import type { StreamStatistics } from "../statistics/stream-statistics.js";

/**
 * The labels of a run's series. `rank` is "" (no label, to Prometheus) unless the run's
 * records name the process of a distributed job they come from.
 */
type Run = "run_id" | "job_name" | "rank";

/** `[run_id, job_name, rank]`: the leading label values of every series of a run. */
export type RunLabelValues = readonly [runId: string, jobName: string, rank: string];

/**
 * A run's label values and one more (a phase, a metric, a status). Written out, not
 * spread: created by the hundred thousand at ingest, a spread array costs an iterator
 * and a backing store several times its size (bench/exporters/training-ingest.bench.ts).
 */
export function runLabelsWith(run: RunLabelValues, value: string): LabelValues {
  return [run[0], run[1], run[2], value];
}

/** One exposed value of a run: its label values and its current value. */
export interface ValueCell extends GroupSample {
  value: number;
}

/** A window statistic of a judged stream, read from it at each scrape. */
export class WindowSample implements GroupSample {
  prefix?: string;
  constructor(
    readonly labels: LabelValues,
    private readonly statistics: StreamStatistics,
    private readonly read: (statistics: StreamStatistics) => number,
  ) {}

  get value(): number {
    return this.read(this.statistics);
  }
}

/**
 * Every family the training collector writes, created once per collector start. A run's
 * series live in the run (see GroupFamily): created by the thousand at ingest, they cost
 * neither a keyed lookup nor label text until a scrape.
 */
export interface TrainingFamilies {
  readonly loss: GroupFamily<Run | "phase">;
  readonly evalMetric: GroupFamily<Run | "metric">;
  readonly learningRate: GroupFamily<Run>;
  readonly gradNorm: GroupFamily<Run>;
  readonly epoch: GroupFamily<Run>;
  readonly samplesPerSecond: GroupFamily<Run>;
  readonly tokensPerSecond: GroupFamily<Run>;
  readonly stepTime: GroupFamily<Run>;
  readonly lossScale: GroupFamily<Run>;
  readonly otherMetric: GroupFamily<Run | "metric">;
  readonly nonFinite: GroupFamily<Run | "metric">;
  readonly skippedIterations: GroupFamily<Run>;
  readonly nanIterations: GroupFamily<Run>;
  readonly step: GroupFamily<Run>;
  readonly maxSteps: GroupFamily<Run>;
  readonly lastUpdate: GroupFamily<Run>;
  readonly runInfo: GroupFamily<Run | "source">;
  readonly runStatus: GroupFamily<Run | "status">;
  readonly points: ScalarFamily<"source">;
  readonly runs: ScalarFamily<"status">;
  readonly overflowSteps: ScalarFamily<Run>;
  readonly logInterval: GroupFamily<Run>;
  readonly outlierSteps: GroupFamily<Run | "metric" | "direction">;
  readonly degradedSteps: GroupFamily<Run | "metric">;
  readonly windowMedian: GroupFamily<Run | "metric">;
  readonly windowMin: GroupFamily<Run | "metric">;
  readonly windowMax: GroupFamily<Run | "metric">;
}

const RUN = ["run_id", "job_name", "rank"] as const;
/** A run without a rank (a single process) keeps the text it had before ranks existed. */
const OPTIONAL = ["rank"] as const;

export function createTrainingFamilies(families: FamilyFactory): TrainingFamilies {
  const value = <L extends string = never>(
    type: "gauge" | "counter",
    name: string,
    help: string,
    extra: readonly L[] = [],
    unit?: string,
  ): GroupFamily<Run | L> =>
    families.grouped<Run | L>(type, {
      name,
      help,
      labelNames: [...RUN, ...extra],
      optionalLabels: OPTIONAL,
      ...(unit ? { unit } : {}),
    });
  const window = (name: string, help: string) =>
    families.grouped<Run | "metric">("gauge", {
      name,
      help,
      labelNames: [...RUN, "metric"],
      optionalLabels: OPTIONAL,
    });
  return {
    loss: value("gauge", "aiwatch_training_loss", "Latest loss of the run, by phase.", ["phase"]),
    evalMetric: value(
      "gauge",
      "aiwatch_training_eval_metric",
      "Latest evaluation metric of the run, by metric name (eval_accuracy is metric=accuracy).",
      ["metric"],
    ),
    learningRate: value("gauge", "aiwatch_training_learning_rate", "Latest learning rate."),
    gradNorm: value("gauge", "aiwatch_training_grad_norm", "Latest gradient norm."),
    epoch: value("gauge", "aiwatch_training_epoch", "Latest epoch logged (fractional)."),
    samplesPerSecond: value(
      "gauge",
      "aiwatch_training_samples_per_second",
      "Latest training throughput in samples per second.",
    ),
    tokensPerSecond: value(
      "gauge",
      "aiwatch_training_tokens_per_second",
      "Latest training throughput in tokens per second.",
    ),
    stepTime: value(
      "gauge",
      "aiwatch_training_step_time_seconds",
      "Latest wall time per optimizer step, as the trainer logged it.",
      [],
      "seconds",
    ),
    lossScale: value(
      "gauge",
      "aiwatch_training_loss_scale",
      "Latest mixed-precision loss scale (Megatron, DeepSpeed).",
    ),
    otherMetric: value(
      "gauge",
      "aiwatch_training_metric",
      "Latest value of a logged metric aiwatch has no dedicated family for, by its logged name.",
      ["metric"],
    ),
    nonFinite: value(
      "counter",
      "aiwatch_training_nonfinite_values_total",
      "NaN or infinite values logged, by metric name.",
      ["metric"],
    ),
    skippedIterations: value(
      "counter",
      "aiwatch_training_skipped_iterations_total",
      "Iterations the optimizer skipped (fp16 loss-scale overflows), as the trainer reported them.",
    ),
    nanIterations: value(
      "counter",
      "aiwatch_training_nan_iterations_total",
      "Iterations the trainer reported a NaN loss or gradient for.",
    ),
    step: value("gauge", "aiwatch_training_step", "Latest optimizer step logged."),
    maxSteps: value("gauge", "aiwatch_training_max_steps", "Steps the run is configured to take."),
    lastUpdate: value(
      "gauge",
      "aiwatch_training_last_update_timestamp_seconds",
      "When the run last logged a point (the point's own time when the source records it).",
      [],
      "seconds",
    ),
    runInfo: value(
      "gauge",
      "aiwatch_training_run_info",
      "Constant 1 for each tracked run, labelled by where its points come from.",
      ["source"],
    ),
    runStatus: value(
      "gauge",
      "aiwatch_training_run_status",
      "1 for the run's current status, 0 for the others.",
      ["status"],
    ),
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
    // ---- step-resolution statistics (what happened at every logged step) --------------
    overflowSteps: families.counter<Run>({
      name: "aiwatch_training_overflow_steps_total",
      help: "Logged steps at which too many of the recent iterations were skipped (statistics.overflow).",
      labelNames: [...RUN],
      optionalLabels: OPTIONAL,
    }),
    logInterval: value(
      "gauge",
      "aiwatch_training_log_interval_seconds",
      "Median wall time between the run's recent logged steps.",
      [],
      "seconds",
    ),
    outlierSteps: value(
      "counter",
      "aiwatch_training_outlier_steps_total",
      "Logged steps whose value left the trailing robust band of the metric, by direction.",
      ["metric", "direction"],
    ),
    degradedSteps: value(
      "counter",
      "aiwatch_training_degraded_steps_total",
      "Logged steps at which the metric's level was worse than its best recent level.",
      ["metric"],
    ),
    windowMedian: window(
      "aiwatch_training_window_median",
      "Median of the metric over its last logged steps (statistics.window): the band's centre.",
    ),
    windowMin: window(
      "aiwatch_training_window_min",
      "Lowest value of the metric over its last logged steps (statistics.window).",
    ),
    windowMax: window(
      "aiwatch_training_window_max",
      "Highest value of the metric over its last logged steps (statistics.window).",
    ),
  };
}
