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
  return {
    name: monitor.name,
    alertName: monitor.alertName,
    layer: monitor.layer,
    signalExpr: monitor.signal.expr,
    by: monitor.by,
    aggregation: monitor.aggregation,
    detectorType: monitor.detector.type,
    valueKind: valueKindOf(monitor),
    selector: selector ? { metric: selector.metricName, matchers: selector.matchers } : undefined,
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

/**
 * Detectors that read counters (`increase`, and `stall` on a step counter) watch events,
 * not levels; an `increase` in `changes` mode watches a gauge holding the last event code.
 */
function valueKindOf(monitor: Monitor): SignalValueKind {
  const detector = monitor.detector as { readonly type: string; readonly mode?: unknown };
  if (detector.type === "increase") return detector.mode === "changes" ? "event_code" : "counter";
  if (detector.type === "stall") return "counter";
  return "gauge";
}
