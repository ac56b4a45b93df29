import { duration, numberLiteral } from "../../../core/promql/promql-text.js";
import type { Settings } from "../../../spec/model/monitor.js";
import { MONITOR_LABEL } from "../../../spec/model/naming.js";
import { monitorLabels, ownSeries } from "../../plan/recorded-series.js";
import type { RecordingRule } from "../../plan/rule-plan.js";
import { planSignalSource } from "../../plan/signal-source.js";
import type { DetectorRulePlan } from "../detector.js";
import { anomalyLayout, anomalySeriesNames, RANGE_FLOOR, SPREAD_QUANTILE } from "./layout.js";
import type { AnomalyMonitor } from "./layout.js";

export function planAnomalyRules(monitor: AnomalyMonitor, settings: Settings): DetectorRulePlan {
  const source = planSignalSource(monitor, "range");
  const layout = anomalyLayout(monitor, settings);
  const names = anomalySeriesNames(monitor);
  const params = monitor.detector;
  const labels = monitorLabels(monitor);
  const own = (name: string): string => ownSeries(monitor, name);
  const b = duration(layout.bucketMs);
  const w = duration(layout.windowMs);
  const up = params.direction !== "down";
  const down = params.direction !== "up";
  const k = numberLiteral(params.threshold);
  const rel = numberLiteral(params.min_relative_margin);
  // The warm-up gate: as many bucket statistics as a seventh of the window holds, and one
  // from before that (promtool records them every evaluation, Prometheus every bucket).
  const gate = (name: string): string =>
    `count_over_time(${own(name)}[${w}]) >= ${layout.minBuckets} and count_over_time(${own(name)}[${duration(layout.windowMs - layout.warmupMs)}] offset ${duration(layout.warmupMs)}) > 0`;
  const quantile = (q: number, name: string): string =>
    `quantile_over_time(${numberLiteral(q)}, ${own(name)}[${w}])`;
  // max(spread, half the usual bucket range, relative floor, absolute floor), written
  // with vector operands: `(a > b) or b` is the larger of a and b.
  const larger = (a: string, b: string): string => `(${a} > ${b}) or ${b}`;
  const floored = (spread: string, median: string): string => {
    const range = `${numberLiteral(RANGE_FLOOR)} * (${own(names.peakMedian)} - ${own(names.troughMedian)})`;
    let out = larger(spread, range);
    if (params.min_relative_margin > 0) out = larger(`(${out})`, `${rel} * abs(${median})`);
    return params.min_margin > 0 ? `clamp_min(${out}, ${numberLiteral(params.min_margin)})` : out;
  };
  const rules: RecordingRule[] = [];
  const record = (name: string, expr: string): void => {
    rules.push({ kind: "record", record: name, expr, labels });
  };
  // Both medians feed the range floor, whichever way the monitor looks.
  record(names.peak, `max_over_time(${source.ref}[${b}])`);
  record(names.trough, `min_over_time(${source.ref}[${b}])`);
  record(names.peakMedian, `${quantile(0.5, names.peak)} and ${gate(names.peak)}`);
  // Gated once: every bound needs the peaks' median (the range floor reads it too).
  record(names.troughMedian, quantile(0.5, names.trough));
  if (up) {
    record(names.peakHigh, quantile(SPREAD_QUANTILE, names.peak));
    const median = own(names.peakMedian);
    const base = `${median} + ${k} * (${floored(`${own(names.peakHigh)} - ${median}`, median)})`;
    const recent = `max_over_time(${own(names.peak)}[${duration(layout.recentMs)}])`;
    record(names.upper, `(${base} > ${recent}) or (${recent} and ${median})`);
  }
  if (down) {
    record(names.troughLow, quantile(round(1 - SPREAD_QUANTILE), names.trough));
    const median = own(names.troughMedian);
    const base = `${median} - ${k} * (${floored(`${median} - ${own(names.troughLow)}`, median)})`;
    const recent = `min_over_time(${own(names.trough)}[${duration(layout.recentMs)}])`;
    // Gated by the peaks' median, as the upper bound is (the troughs' median is not).
    record(
      names.lower,
      `((${base} < ${recent}) or (${recent} and ${median})) and ${own(names.peakMedian)}`,
    );
  }
  const bound = (name: string): string =>
    `last_over_time(${own(name)}[${duration(layout.readbackMs)}] offset ${duration(layout.readOffsetMs)})`;
  const above = `${source.ref} > ignoring(${MONITOR_LABEL}) ${bound(names.upper)}`;
  const below = `${source.ref} < ignoring(${MONITOR_LABEL}) ${bound(names.lower)}`;
  return {
    alertExpr: up && down ? `${above} or ${below}` : up ? above : below,
    recordings: source.recording ? [source.recording] : [],
    baseline: { intervalMs: layout.bucketMs, rules },
  };
}

function round(value: number): number {
  return Number(value.toPrecision(12));
}
