import type { MetricTarget } from "../model/metric-mapping.js";
import type { SampleGroup } from "../../exposition/group-family.js";
import { runLabelsWith, WindowSample } from "../model/training-families.js";
import type { RunLabelValues, TrainingFamilies, ValueCell } from "../model/training-families.js";
import type { CounterListener } from "../model/training-runs.js";
import { OverflowWindow } from "./overflow-window.js";
import { SortedWindow } from "./sorted-window.js";
import type { StatisticsPolicies } from "./statistics-config.js";
import { streamOf } from "./stream-kinds.js";
import { StreamStatistics } from "./stream-statistics.js";

/** Gaps between logged steps kept for the run's log interval. */
const INTERVALS = 16;

/** One judged stream of a run, and the samples of its counters (see TrainingFamilies). */
export interface RunStream {
  readonly statistics: StreamStatistics;
  readonly up: ValueCell;
  readonly down: ValueCell;
  /** Undefined for streams without a level test (grad norm). */
  readonly degraded: ValueCell | undefined;
  lastStep: number | undefined;
}

/**
 * The step-resolution state of one run: its judged streams, its skipped-iteration window
 * and the gaps between its logged steps. Counters move only for live points (`count`);
 * points re-read from a file at start-up rebuild the windows without counting again.
 */
export class RunStatistics {
  private readonly streams = new Map<string, RunStream>();
  /** Made at the run's first report of skipped iterations (most runs never report any). */
  private overflow: OverflowWindow | undefined;
  private readonly intervals = new SortedWindow(INTERVALS);
  private lastAdvanceSeconds: number | undefined;
  /** Exposed from the run's second logged step on (the first gap). */
  private readonly logInterval: ValueCell;
  private logIntervalShown = false;

  private readonly labels: RunLabelValues;

  /** `run` holds the samples (its series are filed with its metrics'). */
  constructor(
    private readonly run: SampleGroup & { readonly labels: RunLabelValues },
    private readonly families: TrainingFamilies,
    private readonly policies: StatisticsPolicies,
    private readonly onEvent: CounterListener | undefined,
  ) {
    this.labels = run.labels;
    this.logInterval = { labels: run.labels, value: 0 };
  }

  /** Bytes of values this run holds for its statistics (for the documented bound). */
  get bytes(): number {
    let total = this.intervals.bytes + 2 * 16 * 8;
    for (const stream of this.streams.values()) total += stream.statistics.bytes;
    return total;
  }

  /** The stream a logged metric feeds (created on first use), or undefined for none. */
  streamFor(target: MetricTarget): RunStream | undefined {
    const identity = streamOf(target);
    if (!identity) return undefined;
    const known = this.streams.get(identity.name);
    if (known) return known;
    const labels = runLabelsWith(this.labels, identity.name);
    const policy = this.policies.policy(identity.kind, identity.higherIsBetter);
    const statistics = new StreamStatistics(policy, this.policies.settings);
    const stream: RunStream = {
      statistics,
      up: { labels: [...labels, "up"], value: 0 },
      down: { labels: [...labels, "down"], value: 0 },
      degraded: policy.level ? { labels, value: 0 } : undefined,
      lastStep: undefined,
    };
    this.streams.set(identity.name, stream);
    // Counters born at 0, so the first event is an increase for increase() as well; the
    // window gauges read the stream at each scrape (no work per point).
    const f = this.families;
    const run = this.run;
    f.outlierSteps.add(run, stream.up);
    f.outlierSteps.add(run, stream.down);
    if (stream.degraded) f.degradedSteps.add(run, stream.degraded);
    f.windowMedian.add(run, new WindowSample(labels, statistics, (s) => s.median()));
    f.windowMin.add(run, new WindowSample(labels, statistics, (s) => s.min()));
    f.windowMax.add(run, new WindowSample(labels, statistics, (s) => s.max()));
    return stream;
  }

  /** Judges a finite value of a stream; a value re-sent for the same step is not judged twice. */
  observe(stream: RunStream, value: number, step: number | undefined, count: boolean): void {
    if (step !== undefined) {
      if (step === stream.lastStep) return;
      stream.lastStep = step;
    }
    const verdict = stream.statistics.observe(value);
    if (!count) return;
    const f = this.families;
    if (verdict.outlier !== 0) {
      const cell = verdict.outlier === 1 ? stream.up : stream.down;
      cell.value++;
      this.onEvent?.(f.outlierSteps, cell.labels, 1);
    }
    if (verdict.degraded && stream.degraded) {
      stream.degraded.value++;
      this.onEvent?.(f.degradedSteps, stream.degraded.labels, 1);
    }
  }

  /** Skipped iterations reported at `step`: an overflow step when the window holds too many. */
  skipped(step: number, count: number): void {
    const f = this.families;
    if (!this.overflow) {
      const { iterations, skipped } = this.policies.overflow;
      this.overflow = new OverflowWindow(iterations, skipped);
      f.overflowSteps.inc(this.labels, 0);
    }
    if (this.overflow.observe(step, count)) {
      f.overflowSteps.inc(this.labels);
      this.onEvent?.(f.overflowSteps, this.labels, 1);
    }
  }

  /** The run logged a new step at `seconds` (its own time): updates its log interval. */
  advanced(seconds: number): void {
    const last = this.lastAdvanceSeconds;
    this.lastAdvanceSeconds = seconds;
    if (last === undefined || !(seconds >= last)) return;
    this.intervals.push(seconds - last);
    this.logInterval.value = this.intervals.median();
    if (!this.logIntervalShown) {
      this.logIntervalShown = true;
      this.families.logInterval.add(this.run, this.logInterval);
    }
  }

  /** Removes the run's overflow counter (its other series leave with the run's group). */
  remove(): void {
    this.families.overflowSteps.remove(this.labels);
  }
}
