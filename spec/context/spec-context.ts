import { parsePromql } from "../../core/promql/parse-promql.js";
import type { LabelMatcher } from "../../core/promql/parse-promql.js";
import { quote } from "../../core/promql/promql-text.js";
import type { Aggregation, Layer, Monitor, SpecModel } from "../model/monitor.js";
import { MONITOR_LABEL, recordName, signalOperation } from "../model/naming.js";
import type { Unit } from "../model/unit.js";

/**
 * What the webhook receiver needs to know about a spec. It is built from the models of
 * the same compile the rules come from (the receiver runs `compileSpecs` first): a spec
 * that `aiwatch rules check` refuses is refused there too, with the same diagnostics, so
 * the receiver never reasons about monitors the rules do not have.
 */
export interface SpecContext {
  readonly files: readonly string[];
  readonly monitors: ReadonlyMap<string, MonitorContext>;
}

/** How a signal's values read: a level, a monotonic counter, or a gauge holding an event code. */
export type SignalValueKind = "gauge" | "counter" | "event_code";

/**
 * What an alert compares: its signal's series as they are (`series`), or a quantity the
 * rules derive from them (`view`): a `ratio` detector's ratio of two counters' increases
 * over its window, an `sloBurnRate` detector's error-budget burn rate. For those the
 * receiver reads the detector's view (the lines rulegen draws from the series the alert
 * compares) as the signal, in `unit`; the signal's counter itself only where no view can
 * be read, and then as its increase (valueKind `counter`), never as a lifetime level.
 */
export type ComparedSignal =
  { readonly from: "series" } | { readonly from: "view"; readonly unit: Unit | undefined };

export interface SeriesSelector {
  readonly metric: string | undefined;
  readonly matchers: readonly LabelMatcher[];
}

export interface MonitorContext {
  readonly name: string;
  readonly alertName: string;
  readonly layer: Layer;
  readonly signalExpr: string;
  /** Labels the signal is grouped by; undefined when every series is watched as it is. */
  readonly by: readonly string[] | undefined;
  readonly aggregation: Aggregation;
  readonly detectorType: string;
  readonly valueKind: SignalValueKind;
  readonly compared: ComparedSignal;
  /**
   * The series to read for the signal: the signal itself when it is one plain selector
   * (`aggregateInQuery`: group it by `by` in the query), else the series aiwatch records
   * for it (already one series per group, carrying the `monitor` label).
   */
  readonly selector: SeriesSelector | undefined;
  readonly aggregateInQuery: boolean;
  readonly forMs: number;
  readonly related: readonly string[];
  /** Per related monitor, the labels declared to link it to this one (spec `related[].on`). */
  readonly relatedOn: Readonly<Record<string, readonly string[]>>;
  readonly unit: Unit | undefined;
  /** Labels the monitor adds to its alert (besides severity, monitor, layer). */
  readonly alertLabels: Readonly<Record<string, string>>;
  readonly scrapeIntervalMs: number;
  readonly evaluationIntervalMs: number;
  readonly spec: string;
}

/** The context of compiled models; `files` are the specs they came from. */
export function specContextOf(models: readonly SpecModel[], files: readonly string[]): SpecContext {
  const monitors = new Map<string, MonitorContext>();
  for (const model of models)
    for (const monitor of model.monitors)
      monitors.set(monitor.name, monitorContext(monitor, model));
  return { files, monitors };
}

function monitorContext(monitor: Monitor, model: SpecModel): MonitorContext {
  const raw = monitor.signal.selector;
  // A signal that is not one plain selector is read from the series the rules record for it.
  const recorded = raw
    ? undefined
    : parsePromql(
        `${recordName(monitor, signalOperation(monitor))}{${MONITOR_LABEL}=${quote(monitor.name)}}`,
      ).selector;
  const selector = raw ?? recorded;
  const matchers = selector ? countedMatchers(monitor, selector.matchers) : [];
  return {
    name: monitor.name,
    alertName: monitor.alertName,
    layer: monitor.layer,
    signalExpr: monitor.signal.expr,
    by: monitor.by,
    aggregation: monitor.aggregation,
    detectorType: monitor.detector.type,
    valueKind: valueKindOf(monitor),
    compared: comparedSignalOf(monitor),
    selector: selector ? { metric: selector.metricName, matchers } : undefined,
    aggregateInQuery: raw !== undefined && monitor.by !== undefined,
    forMs: monitor.forMs,
    related: monitor.related,
    relatedOn: monitor.relatedOn,
    unit: monitor.unit,
    alertLabels: monitor.labels,
    scrapeIntervalMs: model.settings.scrapeIntervalMs,
    evaluationIntervalMs: model.settings.evaluationIntervalMs,
    spec: model.file,
  };
}

/** Detectors whose alert compares a ratio of counters' increases, not the signal itself. */
const RATIO_DETECTORS = new Set(["ratio", "sloBurnRate"]);

/**
 * Detectors that read counters (`increase`, `stall` on a step counter, `absent` on a
 * `_total` counter) watch events, not levels; an `increase` in `changes` mode watches a
 * gauge holding the last event code.
 * A `ratio` or `sloBurnRate` signal is a counter too (bad events, a histogram's buckets):
 * read as a level it showed a lifetime count ("1.2e+6 → 1.21e+6") as if it were the
 * alert's subject.
 */
function valueKindOf(monitor: Monitor): SignalValueKind {
  const detector = monitor.detector as { readonly type: string; readonly mode?: unknown };
  if (detector.type === "increase") return detector.mode === "changes" ? "event_code" : "counter";
  if (detector.type === "stall" || RATIO_DETECTORS.has(detector.type)) return "counter";
  // A stream that stopped: a counter (`_total`, by Prometheus's naming conventions) is shown
  // as what it counted per step until it stopped, not as its lifetime total.
  if (detector.type === "absent" && monitor.signal.selector?.metricName?.endsWith("_total"))
    return "counter";
  return "gauge";
}

/** A ratio is shown as one (a share, in %); a burn rate is a plain factor (14.4 = 14.4x). */
function comparedSignalOf(monitor: Monitor): ComparedSignal {
  const type = monitor.detector.type;
  if (!RATIO_DETECTORS.has(type)) return { from: "series" };
  return { from: "view", unit: type === "ratio" ? "ratio" : undefined };
}

/**
 * The matchers that count a signal's events. A latency SLO's signal selects a histogram's
 * `_bucket` series: summed over every `le` they count each request once per bucket it
 * falls in, so only the `+Inf` bucket (every request) is read.
 */
function countedMatchers(monitor: Monitor, matchers: readonly LabelMatcher[]): LabelMatcher[] {
  const detector = monitor.detector as {
    readonly type: string;
    readonly latency_threshold?: unknown;
  };
  if (detector.type !== "sloBurnRate" || detector.latency_threshold === undefined)
    return [...matchers];
  return [...matchers.filter((m) => m.name !== "le"), { name: "le", op: "=", value: "+Inf" }];
}
