import type { GroupFamily, GroupSample, SampleGroup } from "../../exposition/group-family.js";
import type { LabelValues } from "../../exposition/family.js";
import { RunStatistics } from "../statistics/run-statistics.js";
import type { RunStream } from "../statistics/run-statistics.js";
import type { StatisticsPolicies } from "../statistics/statistics-config.js";
import type { MetricClassifier, MetricTarget } from "./metric-mapping.js";
import { runLabelsWith } from "./training-families.js";
import type { RunLabelValues, TrainingFamilies, ValueCell } from "./training-families.js";
import { RUN_STATUSES } from "./training-record.js";
import type { RunStatus, TrainingRecord } from "./training-record.js";

export interface TrainingRunsOptions {
  /** How long a finished or failed run stays visible before its series are removed. */
  readonly finishedRetentionMs: number;
  /** A running run that logs nothing for this long is removed (its stall alert fired long before). */
  readonly idleRetentionMs: number;
  readonly maxRuns: number;
  /** Distinct logged keys kept per run; more are refused and counted. */
  readonly maxMetricsPerRun: number;
  /** Expose keys without a dedicated family as `aiwatch_training_metric{metric}`. */
  readonly otherMetrics: boolean;
  /** Step-resolution statistics (outlier and degraded-step counters); absent: off. */
  readonly statistics?: StatisticsPolicies;
  /** Told of every increment of a per-run event counter (the replay lists them by step). */
  readonly onEvent?: CounterListener;
}

/** An event counter moved: which family, which series, by how much. */
export type CounterListener = (
  family: {
    readonly name: string;
    readonly labelNames: readonly string[];
    readonly optionalLabels: ReadonlySet<string> | undefined;
  },
  labels: LabelValues,
  by: number,
) => void;

/**
 * `live` points are new: they move counters and the last-update time. `history` points
 * were already in a file when aiwatch (re)started: they restore the latest values and
 * the run's state, but are not counted again, so a restart never re-emits old points as
 * new events.
 */
export type ApplyMode = "live" | "history";

export type ApplyOutcome = "applied" | "run_limit" | "expired";

/** One logged key of a run: the cell its values go to, its non-finite count, its stream. */
interface MetricSeries {
  readonly target: MetricTarget;
  /** Undefined for the keys that set a per-run series (`step`, `max_steps`). */
  readonly cell: ValueCell | undefined;
  readonly family: GroupFamily | undefined;
  readonly nonFinite: ValueCell;
  /** The judged stream the values feed, when the metric has statistics. */
  readonly stream: RunStream | undefined;
}

/** The series a run has one of (its step, its last update), beside its metrics'. */
type RunCellName = "step" | "maxSteps" | "lastUpdate";

interface RunState extends SampleGroup {
  readonly labels: RunLabelValues;
  readonly source: string;
  status: RunStatus;
  finishedAtMs: number | undefined;
  stepAtFinish: number | undefined;
  /** When aiwatch last heard from the run (ms), for idle retention. */
  lastSeenMs: number;
  lastUpdateSeconds: number;
  step: number | undefined;
  /** Per logged key: where its values go, built once. */
  readonly series: Map<string, MetricSeries | null>;
  /**
   * Per family and label value: its cell, shared by the keys that map to one label set
   * (`loss` and `train_loss` are both phase="train").
   */
  readonly cells: Map<GroupFamily, Map<string, ValueCell>>;
  /** The run's own series, each exposed from its first value on. */
  readonly runCells: Map<RunCellName, ValueCell>;
  /** aiwatch_training_run_status, one cell per RUN_STATUSES entry. */
  readonly statusCells: readonly ValueCell[];
  /** Per key, the step of the last non-finite value counted (a retried batch is not counted twice). */
  readonly lastNonFiniteStep: Map<string, number | undefined>;
  statistics: RunStatistics | undefined;
}

/**
 * The runs aiwatch tracks and the series they own. Every source's records come through
 * `apply`; `sweep` removes finished runs after their retention and abandoned ones after
 * the idle retention, so the stall detector never pages on a finished run and
 * cardinality does not grow forever.
 */
export class TrainingRuns {
  private readonly runs = new Map<string, RunState>();

  constructor(
    private readonly families: TrainingFamilies,
    private readonly classifier: MetricClassifier,
    private readonly options: TrainingRunsOptions,
    private readonly now: () => number,
    private readonly onRefused: (reason: string, count: number) => void = () => undefined,
  ) {
    for (const status of RUN_STATUSES) families.runs.set([status], 0);
  }

  get size(): number {
    return this.runs.size;
  }

  /** Bytes of values the run's statistics hold (bounded by the settings; see the docs). */
  statisticsBytes(runId: string, jobName: string, rank?: number): number | undefined {
    return this.runs.get(runKey(runId, jobName, rank))?.statistics?.bytes;
  }

  status(runId: string, jobName: string, rank?: number): RunStatus | undefined {
    return this.runs.get(runKey(runId, jobName, rank))?.status;
  }

  /**
   * Applies one record. `observedAtSeconds` is when the source last changed (a file's
   * mtime), used as the point's time in history mode when the record has none.
   */
  apply(
    record: TrainingRecord,
    source: string,
    mode: ApplyMode = "live",
    observedAtSeconds?: number,
  ): ApplyOutcome {
    const nowMs = this.now();
    const key = runKey(record.runId, record.jobName, record.rank);
    let run = this.runs.get(key);
    if (!run) {
      if (this.runs.size >= this.options.maxRuns) {
        this.onRefused("run_limit", 1);
        return "run_limit";
      }
      run = this.createRun(record, source, nowMs);
    }
    const families = this.families;
    const history = mode === "history";
    const nowSeconds = nowMs / 1000;
    const pointSeconds = Math.min(
      record.timestampSeconds ?? (history ? (observedAtSeconds ?? nowSeconds) : nowSeconds),
      nowSeconds,
    );
    run.lastSeenMs = Math.max(run.lastSeenMs, history ? pointSeconds * 1000 : nowMs);

    const statistics = run.statistics;
    if (
      statistics &&
      record.step !== undefined &&
      (run.step === undefined || record.step > run.step) &&
      (!history || record.timestampSeconds !== undefined)
    )
      statistics.advanced(pointSeconds);
    let accepted = 0;
    for (const metric in record.metrics) {
      const value = record.metrics[metric] ?? NaN;
      const series = this.seriesFor(run, metric);
      if (!series) continue;
      accepted++;
      const target = series.target.family;
      if (target === "skipped_iterations" || target === "nan_iterations") {
        // Counts since the previous record: added, never set; a negative count is nonsense.
        if (!history && series.cell && Number.isFinite(value) && value > 0) {
          series.cell.value += value;
          if (series.family) this.options.onEvent?.(series.family, series.cell.labels, value);
          if (target === "skipped_iterations")
            statistics?.skipped(record.step ?? run.step ?? 0, value);
        }
        continue;
      }
      if (series.cell) series.cell.value = value;
      else if (target === "step") this.setRunCell(run, "step", value);
      else if (target === "max_steps") this.setRunCell(run, "maxSteps", value);
      if (series.stream && Number.isFinite(value))
        statistics?.observe(series.stream, value, record.step, !history);
      if (!Number.isFinite(value) && !history) {
        const step = record.step;
        if (step === undefined || run.lastNonFiniteStep.get(metric) !== step) {
          series.nonFinite.value++;
          this.options.onEvent?.(families.nonFinite, series.nonFinite.labels, 1);
          run.lastNonFiniteStep.set(metric, step);
        }
      }
    }
    if (record.step !== undefined) {
      run.step = record.step;
      this.setRunCell(run, "step", record.step);
    }
    if (record.maxSteps !== undefined) this.setRunCell(run, "maxSteps", record.maxSteps);
    if (accepted > 0 || record.step !== undefined) {
      if (pointSeconds > run.lastUpdateSeconds) {
        run.lastUpdateSeconds = pointSeconds;
        this.setRunCell(run, "lastUpdate", pointSeconds);
      }
    }
    if (!history && accepted > 0) families.points.inc([source], accepted);

    if (record.status !== undefined) {
      this.setStatus(run, record.status, history ? pointSeconds * 1000 : nowMs);
    } else if (
      run.status !== "running" &&
      accepted > 0 &&
      record.step !== undefined &&
      (run.stepAtFinish === undefined || record.step > run.stepAtFinish)
    ) {
      // Points past the step a run finished at mean it was resumed.
      this.setStatus(run, "running", nowMs);
    }
    if (history && run.finishedAtMs !== undefined && this.expired(run, nowMs)) {
      this.remove(key, run);
      return "expired";
    }
    return "applied";
  }

  /** Removes runs past their retention; returns how many. */
  sweep(): number {
    const nowMs = this.now();
    let removed = 0;
    for (const [key, run] of [...this.runs]) {
      if (this.expired(run, nowMs)) {
        this.remove(key, run);
        removed++;
      }
    }
    return removed;
  }

  private expired(run: RunState, nowMs: number): boolean {
    return run.finishedAtMs !== undefined
      ? nowMs - run.finishedAtMs >= this.options.finishedRetentionMs
      : nowMs - run.lastSeenMs >= this.options.idleRetentionMs;
  }

  private createRun(record: TrainingRecord, source: string, nowMs: number): RunState {
    const labels = runLabels(record);
    const run: RunState = {
      labels,
      source,
      status: "running",
      finishedAtMs: undefined,
      stepAtFinish: undefined,
      lastSeenMs: nowMs,
      lastUpdateSeconds: -Infinity,
      step: undefined,
      series: new Map(),
      cells: new Map(),
      runCells: new Map(),
      statusCells: RUN_STATUSES.map((status) => ({
        labels: runLabelsWith(labels, status),
        value: 0,
      })),
      samples: new Map<object, GroupSample[]>(),
      lastNonFiniteStep: new Map(),
      statistics: undefined,
    };
    const statistics = this.options.statistics;
    if (statistics)
      run.statistics = new RunStatistics(run, this.families, statistics, this.options.onEvent);
    this.runs.set(runKey(record.runId, record.jobName, record.rank), run);
    this.families.runInfo.add(run, { labels: runLabelsWith(labels, source), value: 1 });
    for (const cell of run.statusCells) this.families.runStatus.add(run, cell);
    this.writeStatus(run);
    this.families.runs.inc(["running"]);
    return run;
  }

  private setStatus(run: RunState, status: RunStatus, atMs: number): void {
    if (status !== run.status) {
      this.families.runs.inc([run.status], -1);
      this.families.runs.inc([status]);
      run.status = status;
      this.writeStatus(run);
    }
    if (status === "running") {
      run.finishedAtMs = undefined;
      run.stepAtFinish = undefined;
    } else if (run.finishedAtMs === undefined) {
      run.finishedAtMs = atMs;
      run.stepAtFinish = run.step;
    }
  }

  private writeStatus(run: RunState): void {
    RUN_STATUSES.forEach((status, i) => {
      const cell = run.statusCells[i];
      if (cell) cell.value = status === run.status ? 1 : 0;
    });
  }

  /** Sets one of the run's own series, exposing it at its first value. */
  private setRunCell(run: RunState, name: RunCellName, value: number): void {
    let cell = run.runCells.get(name);
    if (!cell) {
      cell = { labels: run.labels, value };
      run.runCells.set(name, cell);
      this.families[name].add(run, cell);
    }
    cell.value = value;
  }

  /** Removes exactly the series the run owns: O(its series), not a scan of every family. */
  private remove(key: string, run: RunState): void {
    // Every series kept in the run (its metrics', its statistics', its status) goes with it.
    for (const family of [...run.samples.keys()]) (family as GroupFamily).deleteGroup(run);
    run.statistics?.remove();
    this.families.runs.inc([run.status], -1);
    this.runs.delete(key);
  }

  private seriesFor(run: RunState, metric: string): MetricSeries | null {
    const known = run.series.get(metric);
    if (known !== undefined) return known;
    const target = this.classifier.classify(metric);
    let entry: MetricSeries | null;
    if (target.family === "other" && !this.options.otherMetrics) entry = null;
    else if (run.series.size >= this.options.maxMetricsPerRun) {
      this.onRefused("metric_limit", 1);
      return null;
    } else {
      const family = this.familyOf(target);
      let cell: ValueCell | undefined;
      if (family) {
        const extra =
          target.family === "loss"
            ? target.phase
            : target.family === "eval_metric" || target.family === "other"
              ? target.metric
              : undefined;
        let cells = run.cells.get(family);
        if (!cells) {
          cells = new Map();
          run.cells.set(family, cells);
        }
        cell = cells.get(extra ?? "");
        if (!cell) {
          cell = {
            labels: extra === undefined ? run.labels : runLabelsWith(run.labels, extra),
            value: 0,
          };
          cells.set(extra ?? "", cell);
          // Counters start at 0 so that the first event is an increase Prometheus sees.
          family.add(run, cell);
        }
      }
      // Initialised at 0 for the same reason: the first non-finite value is an increase.
      // Its labels are the other-metric cell's when both name the logged key.
      const nonFinite: ValueCell = {
        labels: cell && cell.labels[3] === metric ? cell.labels : runLabelsWith(run.labels, metric),
        value: 0,
      };
      this.families.nonFinite.add(run, nonFinite);
      entry = { target, cell, family, nonFinite, stream: run.statistics?.streamFor(target) };
    }
    run.series.set(metric, entry);
    return entry;
  }

  /** The cell family a logged key's values go to; undefined for the per-run step series. */
  private familyOf(target: MetricTarget): GroupFamily | undefined {
    const f = this.families;
    switch (target.family) {
      case "loss":
        return f.loss;
      case "eval_metric":
        return f.evalMetric;
      case "other":
        return f.otherMetric;
      case "learning_rate":
        return f.learningRate;
      case "grad_norm":
        return f.gradNorm;
      case "epoch":
        return f.epoch;
      case "samples_per_second":
        return f.samplesPerSecond;
      case "tokens_per_second":
        return f.tokensPerSecond;
      case "step_time_seconds":
        return f.stepTime;
      case "loss_scale":
        return f.lossScale;
      case "skipped_iterations":
        return f.skippedIterations;
      case "nan_iterations":
        return f.nanIterations;
      case "step":
      case "max_steps":
        return undefined;
    }
  }
}

/**
 * A run is (job_name, run_id, rank): each rank of a distributed job that reports its own
 * series is a run of its own (its own status, statistics and place under `max_runs`).
 */
function runKey(runId: string, jobName: string, rank: number | undefined): string {
  return `${runId}\u0000${jobName}\u0000${rank ?? ""}`;
}

/** `[run_id, job_name, rank]`, the leading label values of every series of the run. */
function runLabels(record: TrainingRecord): RunLabelValues {
  return [record.runId, record.jobName, record.rank === undefined ? "" : String(record.rank)];
}
