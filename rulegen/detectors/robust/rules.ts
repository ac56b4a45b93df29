import type { Settings } from "../../../spec/model/monitor.js";
import { MONITOR_LABEL } from "../../../spec/model/naming.js";
import { duration, numberLiteral } from "../../../core/promql/promql-text.js";
import { monitorLabels, ownSeries, readBack } from "../../plan/recorded-series.js";
import type { RecordingRule } from "../../plan/rule-plan.js";
import { planSignalSource } from "../../plan/signal-source.js";
import type { DetectorRulePlan } from "../detector.js";
import { robustLayout, robustSeriesNames } from "./layout.js";
import type { RobustMonitor } from "./layout.js";

/** A floor on a recorded band: `(x > floor) or floor` keeps whichever is larger. */
export function floorBand(expr: string, relative: string | undefined, absolute: number): string {
  const withRelative = relative ? `(${expr} > ${relative}) or ${relative}` : expr;
  return absolute > 0 ? `clamp_min(${withRelative}, ${numberLiteral(absolute)})` : withRelative;
}

export function planRobustRules(monitor: RobustMonitor, settings: Settings): DetectorRulePlan {
  const source = planSignalSource(monitor, "range");
  const layout = robustLayout(monitor, settings, source.recorded);
  const names = robustSeriesNames(monitor);
  const params = monitor.detector;
  const labels = monitorLabels(monitor);
  const lagged = (expr: string): string =>
    `${expr}[${duration(layout.windowMs)}] offset ${duration(layout.lagMs)}`;
  const relative =
    params.min_relative_margin > 0
      ? `${numberLiteral(params.min_relative_margin)} * abs(${ownSeries(monitor, names.median)})`
      : undefined;
  const baseline: RecordingRule[] = [
    {
      kind: "record",
      record: names.median,
      expr: `quantile_over_time(0.5, ${lagged(source.ref)}) and count_over_time(${lagged(source.ref)}) >= ${layout.minSamples}`,
      labels,
    },
    {
      kind: "record",
      record: names.mad,
      expr: `quantile_over_time(0.5, ${lagged(ownSeries(monitor, names.deviation))}) and count_over_time(${lagged(ownSeries(monitor, names.deviation))}) >= ${layout.minDeviations}`,
      labels,
    },
    {
      // The largest MAD of the last window: while the baseline still holds a past incident
      // (its deviations raised the MAD), the return to normal does not page. No MAD yet
      // (warm-up), no band: the floor alone must not make the monitor fire.
      kind: "record",
      record: names.band,
      expr: `(${floorBand(`${numberLiteral(params.threshold)} * max_over_time(${ownSeries(monitor, names.mad)}[${duration(layout.windowMs)}])`, relative, params.min_margin)}) and ${ownSeries(monitor, names.mad)}`,
      labels,
    },
  ];
  const median = readBack(monitor, names.median, layout.readbackMs);
  const band = readBack(monitor, names.band, layout.readbackMs);
  const deviation = `${source.ref} - ignoring(${MONITOR_LABEL}) ${median}`;
  // Both directions: the deviation was just recorded, one rule before the alert.
  const score =
    params.direction === "both"
      ? ownSeries(monitor, names.deviation)
      : params.direction === "up"
        ? `(${deviation})`
        : `(${median} - ignoring(${MONITOR_LABEL}) ${source.ref})`;
  return {
    alertExpr: `${score} > ignoring(${MONITOR_LABEL}) ${band}`,
    recordings: [
      ...(source.recording ? [source.recording] : []),
      { kind: "record", record: names.deviation, expr: `abs(${deviation})`, labels },
    ],
    baseline: { intervalMs: layout.bucketMs, rules: baseline },
  };
}
