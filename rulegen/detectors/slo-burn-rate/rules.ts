import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import { levelOf } from "../../../spec/model/naming.js";
import {
  aggregateBy,
  duration,
  numberLiteral,
  quote,
  selector,
} from "../../../core/promql/promql-text.js";
import { monitorLabels, ownSeries, readBack } from "../../plan/recorded-series.js";
import type { RecordingRule } from "../../plan/rule-plan.js";
import type { AlertVariant, DetectorRulePlan } from "../detector.js";
import { selectorOf } from "../counter-selectors.js";
import { leMatcherValue } from "./le-matcher.js";
import type { SloBurnRateParams } from "../../../spec/schema/detectors/slo-burn-rate.js";
import { errorBudget, windowPairs } from "./windows.js";

export type SloMonitor = Monitor<SloBurnRateParams>;

export const LONG_WINDOW_LABEL = "long_window";
export const SHORT_WINDOW_LABEL = "short_window";
/** Windows from this length up are recomputed by a slower group. */
export const SLOW_WINDOW_MS = 3_600_000;
const SLOW_INTERVAL_MS = 5 * 60_000;
/**
 * Windows from 6h up are sums of recorded 1h increases read at aligned hours: a 3d window
 * costs 72 points per series instead of every raw sample. The range is one evaluation
 * short of the window so it holds exactly window/1h points on Prometheus 2 (closed
 * ranges) and 3 (left-open) alike.
 */
const BUCKET_MS = 3_600_000;
const COMPOSITE_FROM_MS = 6 * 3_600_000;

function composite(windowMs: number): boolean {
  return windowMs >= COMPOSITE_FROM_MS && windowMs % BUCKET_MS === 0;
}

export interface SliSelectors {
  /** Bad events, or (latency) every event minus the good ones. */
  readonly errors: (window: string) => string;
  readonly total: string;
  readonly errorsMetric: string;
  readonly totalMetric: string;
}

/** What counts as bad and as total, for a ratio SLI or a classic-histogram latency SLI. */
export function sliSelectors(monitor: SloMonitor): SliSelectors {
  const params = monitor.detector;
  const by = monitor.by ?? [];
  const sum = (expr: string, window: string): string =>
    aggregateBy("sum", by, `increase(${expr}[${window}])`);
  const signal = monitor.signal.selector;
  if (params.latency_threshold !== undefined && signal?.metricName) {
    const base = signal.metricName.replace(/_bucket$/, "");
    const others = signal.matchers.filter((m) => m.name !== "le");
    const total = selector(`${base}_count`, others);
    const good = selector(signal.metricName, [
      ...others,
      { name: "le", op: "=~", value: leMatcherValue(params.latency_threshold) },
    ]);
    return {
      errors: (w) => `${sum(total, w)} - ${sum(good, w)}`,
      total,
      errorsMetric: base,
      totalMetric: `${base}_count`,
    };
  }
  const total = params.total ?? "";
  return {
    errors: (w) => sum(monitor.signal.expr, w),
    total,
    errorsMetric: signal?.metricName ?? "errors",
    totalMetric: selectorOf(total)?.metricName ?? "total",
  };
}

export function sloSeriesNames(monitor: SloMonitor, windowMs: number) {
  const sli = sliSelectors(monitor);
  const w = duration(windowMs);
  return {
    errors: `${levelOf(monitor)}:${sli.errorsMetric}:errors_increase${w}`,
    total: `${levelOf(monitor)}:${sli.totalMetric}:total_increase${w}`,
  };
}

export function slowIntervalMs(settings: Settings): number {
  return Math.max(settings.evaluationIntervalMs, SLOW_INTERVAL_MS);
}

export function planSloRules(monitor: SloMonitor, settings: Settings): DetectorRulePlan {
  const params = monitor.detector;
  const by = monitor.by ?? [];
  const sli = sliSelectors(monitor);
  const pairs = windowPairs(params);
  const used = pairs.flatMap((p) => [p.shortMs, p.longMs]);
  const windows = [...new Set([...used, ...(used.some(composite) ? [BUCKET_MS] : [])])].sort(
    (a, b) => a - b,
  );
  const labels = monitorLabels(monitor);
  const fast: RecordingRule[] = [];
  const slow: RecordingRule[] = [];
  const slowMs = slowIntervalMs(settings);
  const buckets = sloSeriesNames(monitor, BUCKET_MS);
  const sumOfBuckets = (name: string, windowMs: number): string =>
    `sum_over_time(${readBack(monitor, name, 2 * slowMs)}[${duration(windowMs - settings.evaluationIntervalMs)}:${duration(BUCKET_MS)}])`;
  for (const windowMs of windows) {
    const names = sloSeriesNames(monitor, windowMs);
    const w = duration(windowMs);
    const rules: RecordingRule[] = composite(windowMs)
      ? [
          {
            kind: "record",
            record: names.errors,
            expr: sumOfBuckets(buckets.errors, windowMs),
            labels,
          },
          {
            kind: "record",
            record: names.total,
            expr: sumOfBuckets(buckets.total, windowMs),
            labels,
          },
        ]
      : [
          { kind: "record", record: names.errors, expr: sli.errors(w), labels },
          {
            kind: "record",
            record: names.total,
            expr: aggregateBy("sum", by, `increase(${sli.total}[${w}])`),
            labels,
          },
        ];
    (windowMs >= SLOW_WINDOW_MS ? slow : fast).push(...rules);
  }
  const read = (name: string, windowMs: number): string =>
    windowMs >= SLOW_WINDOW_MS ? readBack(monitor, name, 2 * slowMs) : ownSeries(monitor, name);
  const budget = numberLiteral(errorBudget(params));
  const burn = (windowMs: number): string => {
    const names = sloSeriesNames(monitor, windowMs);
    return `${read(names.errors, windowMs)} / ${read(names.total, windowMs)} / ${budget}`;
  };
  const variants: AlertVariant[] = pairs.map((pair) => {
    const rate = numberLiteral(pair.burnRate);
    const total = read(sloSeriesNames(monitor, pair.longMs).total, pair.longMs);
    const condition = `${burn(pair.longMs)} > ${rate} and ${burn(pair.shortMs)} > ${rate} and ${total} >= ${numberLiteral(params.min_events)}`;
    // The windows are labels of the expression's output, so templates can name them.
    const named = `label_replace(label_replace(${condition}, ${quote(LONG_WINDOW_LABEL)}, ${quote(pair.long)}, "", ""), ${quote(SHORT_WINDOW_LABEL)}, ${quote(pair.short)}, "", "")`;
    // Also rule labels: promtool's linter takes alerts with equal rule labels for duplicates.
    const labels: Record<string, string> = {
      [LONG_WINDOW_LABEL]: pair.long,
      [SHORT_WINDOW_LABEL]: pair.short,
      ...(pair.severity ? { severity: pair.severity } : {}),
    };
    return { expr: named, labels };
  });
  return {
    alertExpr: variants[0]?.expr ?? "",
    recordings: fast,
    ...(slow.length > 0 ? { baseline: { intervalMs: slowMs, rules: slow } } : {}),
    alertVariants: variants,
  };
}
