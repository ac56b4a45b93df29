import { MONITOR_LABEL, recordName } from "../../../spec/model/naming.js";
import { duration, numberLiteral, quote } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import type { RecordingRule } from "../../plan/rule-plan.js";
import type { Settings } from "../../../spec/model/monitor.js";
import type { DetectorRulePlan } from "../detector.js";
import { zscoreLayout } from "./layout.js";
import type { ZscoreMonitor } from "./layout.js";

export interface ZscoreSeries {
  readonly bucketAvg: string;
  readonly bucketStdvar: string;
  readonly mean: string;
  readonly stddev: string;
}

export function zscoreSeriesNames(monitor: ZscoreMonitor, settings: Settings): ZscoreSeries {
  const layout = zscoreLayout(monitor, settings);
  const b = duration(layout.bucketMs);
  const w = duration(layout.windowMs);
  return {
    bucketAvg: recordName(monitor, `avg_over_time${b}`),
    bucketStdvar: recordName(monitor, `stdvar_over_time${b}`),
    mean: recordName(monitor, `avg${w}`),
    stddev: recordName(monitor, `stddev${w}`),
  };
}

export function planZscoreRules(monitor: ZscoreMonitor, settings: Settings): DetectorRulePlan {
  const source = planSignalSource(monitor, "range");
  const layout = zscoreLayout(monitor, settings);
  const names = zscoreSeriesNames(monitor, settings);
  const params = monitor.detector;
  const own = (name: string): string => `${name}{${MONITOR_LABEL}=${quote(monitor.name)}}`;
  const labels = { [MONITOR_LABEL]: monitor.name };
  const b = duration(layout.bucketMs);
  // One recorded point per bucket, read back at aligned steps: the baseline costs
  // window/bucket lookups per series, whatever the scrape interval.
  const perBucket = (name: string): string =>
    `last_over_time(${own(name)}[${b}])[${duration(layout.windowMs)}:${b}] offset ${duration(layout.lagMs)}`;
  const relativeFloor = `${numberLiteral(params.min_relative_stddev)} * abs(${own(names.mean)})`;
  const rawStddev = `sqrt(avg_over_time(${perBucket(names.bucketStdvar)}) + stdvar_over_time(${perBucket(names.bucketAvg)}))`;
  const withRelative =
    params.min_relative_stddev > 0
      ? `(${rawStddev} > ${relativeFloor}) or ${relativeFloor}`
      : rawStddev;
  const floored =
    params.min_stddev > 0
      ? `clamp_min(${withRelative}, ${numberLiteral(params.min_stddev)})`
      : withRelative;
  // The mean exists only once enough of the window holds data (the warm-up gate), and
  // the floored stddev only where the mean does: no baseline, no alert.
  const baseline: RecordingRule[] = [
    { kind: "record", record: names.bucketAvg, expr: `avg_over_time(${source.ref}[${b}])`, labels },
    {
      kind: "record",
      record: names.bucketStdvar,
      expr: `stdvar_over_time(${source.ref}[${b}])`,
      labels,
    },
    {
      kind: "record",
      record: names.mean,
      expr: `avg_over_time(${perBucket(names.bucketAvg)}) and count_over_time(${perBucket(names.bucketAvg)}) >= ${layout.minBuckets}`,
      labels,
    },
    {
      kind: "record",
      record: names.stddev,
      expr: params.min_relative_stddev > 0 ? floored : `${floored} and ${own(names.mean)}`,
      labels,
    },
  ];
  const read = (name: string): string =>
    `last_over_time(${own(name)}[${duration(layout.readbackMs)}])`;
  const deviation = `(${source.ref} - ignoring(${MONITOR_LABEL}) ${read(names.mean)}) / ignoring(${MONITOR_LABEL}) ${read(names.stddev)}`;
  const score =
    params.direction === "both"
      ? `abs(${deviation})`
      : params.direction === "up"
        ? `(${deviation})`
        : `-(${deviation})`;
  return {
    alertExpr: `${score} > ${numberLiteral(params.threshold)}`,
    recordings: source.recording ? [source.recording] : [],
    baseline: { intervalMs: layout.bucketMs, rules: baseline },
  };
}
