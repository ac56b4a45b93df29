import type { Monitor, Settings } from "../../spec/model/monitor.js";
import type { Unit } from "../../spec/model/unit.js";
import type { RecordingRule } from "../plan/rule-plan.js";
import type { SignalShape } from "../plan/signal-source.js";
import type { TestScenario } from "../testgen/scenario.js";
import type { RulegenCode } from "../../spec/diagnostics/codes.js";
import type { DetectorParams } from "../../spec/schema/detector-params.js";
import type { SampleGate } from "./sample-gates.js";

/** A problem a detector finds in a monitor; `path` is relative to the monitor. */
export interface DetectorProblem {
  readonly code: RulegenCode;
  readonly message: string;
  readonly path: readonly (string | number)[];
}

/** A slower group of recordings: long-window statistics read with last_over_time. */
export interface SlowGroupPlan {
  readonly intervalMs: number;
  readonly rules: readonly RecordingRule[];
}

/**
 * One more alerting rule of the monitor, for detectors that page on several conditions
 * (one per window pair of an SLO). Its labels are added to the monitor's and win over them.
 */
export interface AlertVariant {
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface DetectorRulePlan {
  /** The alert condition; its value is what `$value` shows. */
  readonly alertExpr: string;
  /** Recordings evaluated just before the alert, at the evaluation interval. */
  readonly recordings: readonly RecordingRule[];
  /** Long-window statistics, evaluated by a slower group and read with last_over_time. */
  readonly baseline?: SlowGroupPlan;
  /** Seasonal statistics (a day or a week ago), in a second, usually slower, group. */
  readonly seasonal?: SlowGroupPlan;
  /** When set, these alerts replace the single `alertExpr` alert (same name, own labels). */
  readonly alertVariants?: readonly AlertVariant[];
}

export interface DefaultAnnotations {
  readonly summary: string;
  readonly description: string;
}

/**
 * Everything one detector knows. Adding a detector is adding a folder with one of these
 * and registering it; nothing else in the generator changes.
 */
export interface DetectorDefinition<P extends DetectorParams = DetectorParams> {
  readonly type: P["type"];
  /**
   * How the detector reads its signal (see plan/signal-source.ts), so a backtest can feed
   * a recorded series of values; undefined when it needs more than one series (ratios).
   */
  readonly signalShape: SignalShape | undefined;
  /** `for` when the monitor sets none. */
  defaultForMs(settings: Settings): number;
  /** `keep_firing_for` when the monitor sets none; absent: none. */
  defaultKeepFiringForMs?(params: P): number;
  /** Checks the schema cannot express (signal shape, parameter relations). */
  check(monitor: Monitor<P>, settings: Settings): readonly DetectorProblem[];
  /** What works but is likely not what the user wants (few samples per window); warnings. */
  warnings?(monitor: Monitor<P>, settings: Settings): readonly DetectorProblem[];
  /** The detector's gates on sample counts, so a backtest can tell when one cannot be met. */
  sampleGates?(monitor: Monitor<P>, settings: Settings): readonly SampleGate[];
  planRules(monitor: Monitor<P>, settings: Settings): DetectorRulePlan;
  planTests(monitor: Monitor<P>, settings: Settings): readonly TestScenario[];
  defaultAnnotations(monitor: Monitor<P>, settings: Settings): DefaultAnnotations;
  /** What a dashboard draws beside the signal; omitted when the signal alone tells it. */
  view?(monitor: Monitor<P>, settings: Settings, select: SeriesSelect): DetectorView;
}

/**
 * Selectors a dashboard can query, each already carrying the dashboard's filters (its
 * template variables), so views never spell label matchers themselves.
 */
export interface SeriesSelect {
  /** A series this monitor records (`name{monitor="m", ...filters}`). */
  own(name: string): string;
  /** The signal as the detector reads it in ranges: the raw selector or its recording. */
  source(): string;
  /** A user-written selector (a limit series, an SLI total) with the filters added. */
  selector(text: string): string;
}

/**
 * The detector's band, baseline, forecast or threshold, drawn from the same recorded
 * series the alert reads: what the dashboard shows is what the alert compares.
 */
export interface DetectorView {
  readonly lines: readonly { readonly expr: string; readonly legend: string }[];
  readonly threshold?: number;
  /**
   * Set when the signal is a cumulative counter the detector reads only through its lines
   * (a ratio of two counters, a burn rate, an increase): drawn beside them, its lifetime
   * total would only set the axis, so the panel shows the lines alone, in `unit`: the
   * signal's own (`signal`), a spec unit, or a plain number (`none`).
   */
  readonly linesOnly?: { readonly unit: "signal" | "none" | Unit };
}
