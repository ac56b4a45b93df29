import type { LabelValues } from "../../exposition/family.js";
import type { MetricTarget } from "../model/metric-mapping.js";
import type { TrainingFamilies } from "../model/training-families.js";
import { OverflowWindow } from "./overflow-window.js";
import { SortedWindow } from "./sorted-window.js";
import type { StatisticsPolicies } from "./statistics-config.js";
import { streamOf } from "./stream-kinds.js";
import { StreamStatistics } from "./stream-statistics.js";

/** Gaps between logged steps kept for the run's log interval. */
const INTERVALS = 16;

/** One judged stream of a run, with the label values of its series built once. */
export interface RunStream {
  readonly statistics: StreamStatistics;
  readonly labels: LabelValues;
  readonly up: LabelValues;
  readonly down: LabelValues;
  readonly leveled: boolean;
  lastStep: number | undefined;
}

/**
 * The step-resolution state of one run: its judged streams, its skipped-iteration window
 * and the gaps between its logged steps. Counters move only for live points (`count`);
 * points re-read from a file at start-up rebuild the windows without counting again.
 */
export class RunStatistics {
  private readonly streams = new Map<string, RunStream>();
  private readonly overflow: OverflowWindow;
  private readonly intervals = new SortedWindow(INTERVALS);
  private lastAdvanceSeconds: number | undefined;
  private reportsSkips = false;

  constructor(
    private readonly labels: LabelValues,
    private readonly families: TrainingFamilies,
    private readonly policies: StatisticsPolicies,
  ) {
    this.overflow = new OverflowWindow(policies.overflow.iterations, policies.overflow.skipped);
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
    const [runId = "", jobName = ""] = this.labels;
    const labels = [runId, jobName, identity.name];
    const policy = this.policies.policy(identity.kind, identity.higherIsBetter);
    const stream: RunStream = {
      statistics: new StreamStatistics(policy, this.policies.settings),
      labels,
      up: [...labels, "up"],
      down: [...labels, "down"],
      leveled: policy.level !== undefined,
      lastStep: undefined,
    };
    this.streams.set(identity.name, stream);
    // Born at 0, so the first event is an increase for increase() as well.
    const f = this.families;
    f.outlierSteps.inc(stream.up, 0);
    f.outlierSteps.inc(stream.down, 0);
    if (stream.leveled) f.degradedSteps.inc(labels, 0);
    return stream;
  }

  /** Judges a finite value of a stream; a value re-sent for the same step is not judged twice. */
  observe(stream: RunStream, value: number, step: number | undefined, count: boolean): void {
    if (step !== undefined) {
      if (step === stream.lastStep) return;
      stream.lastStep = step;
    }
    const statistics = stream.statistics;
    const verdict = statistics.observe(value);
    const f = this.families;
    if (count) {
      if (verdict.outlier === 1) f.outlierSteps.inc(stream.up);
      else if (verdict.outlier === -1) f.outlierSteps.inc(stream.down);
      if (verdict.degraded) f.degradedSteps.inc(stream.labels);
    }
    f.windowMedian.set(stream.labels, statistics.median());
    f.windowMin.set(stream.labels, statistics.min());
    f.windowMax.set(stream.labels, statistics.max());
  }

  /** Skipped iterations reported at `step`: an overflow step when the window holds too many. */
  skipped(step: number, count: number): void {
    const f = this.families;
    if (!this.reportsSkips) {
      this.reportsSkips = true;
      f.overflowSteps.inc(this.labels, 0);
    }
    if (this.overflow.observe(step, count)) f.overflowSteps.inc(this.labels);
  }

  /** The run logged a new step at `seconds` (its own time): updates its log interval. */
  advanced(seconds: number): void {
    const last = this.lastAdvanceSeconds;
    this.lastAdvanceSeconds = seconds;
    if (last === undefined || !(seconds >= last)) return;
    this.intervals.push(seconds - last);
    this.families.logInterval.set(this.labels, this.intervals.median());
  }

  /** Removes every series the run's statistics own. */
  remove(): void {
    const f = this.families;
    for (const stream of this.streams.values()) {
      for (const family of [f.windowMedian, f.windowMin, f.windowMax, f.degradedSteps])
        family.remove(stream.labels);
      f.outlierSteps.remove(stream.up);
      f.outlierSteps.remove(stream.down);
    }
    f.overflowSteps.remove(this.labels);
    f.logInterval.remove(this.labels);
  }
}
