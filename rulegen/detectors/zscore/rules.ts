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
  readonly band: string;
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
    band: recordName(monitor, `band${w}`),
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
  // The bucket statistics over the lagged window: a plain range over points recorded once
  // per bucket (window/bucket of them per series in Prometheus; promtool records them at
  // every evaluation, as overlapping buckets, which the mean and variance tolerate).
  const lagged = (name: string): string =>
    `${own(name)}[${duration(layout.windowMs)}] offset ${duration(layout.lagMs)}`;
  // Warm-up: as many buckets with data as the coverage asks, and one from that long
  // before the window's end (where promtool records every evaluation, the count alone
  // would pass within minutes).
  const spanMs = (layout.minBuckets - 1) * layout.bucketMs;
  const warmup = [
    `count_over_time(${lagged(names.bucketAvg)}) >= ${layout.minBuckets}`,
    ...(spanMs > 0
      ? [
          `count_over_time(${own(names.bucketAvg)}[${duration(layout.windowMs - spanMs)}] offset ${duration(layout.lagMs + spanMs)}) > 0`,
        ]
      : []),
  ].join(" and ");
  const relativeFloor = `${numberLiteral(params.min_relative_stddev)} * abs(${own(names.mean)})`;
  const rawStddev = `sqrt(avg_over_time(${lagged(names.bucketStdvar)}) + stdvar_over_time(${lagged(names.bucketAvg)}))`;
  const withRelative =
    params.min_relative_stddev > 0
      ? `(${rawStddev} > ${relativeFloor}) or ${relativeFloor}`
      : rawStddev;
  const floored =
    params.min_stddev > 0
      ? `clamp_min(${withRelative}, ${numberLiteral(params.min_stddev)})`
      : withRelative;
  // The mean exists only once the window holds enough data (the warm-up gate), and the
  // floored stddev and the band only where the mean does: no baseline, no alert.
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
      expr: `avg_over_time(${lagged(names.bucketAvg)}) and ${warmup}`,
      labels,
    },
    {
      kind: "record",
      record: names.stddev,
      expr: params.min_relative_stddev > 0 ? floored : `${floored} and ${own(names.mean)}`,
      labels,
    },
    {
      kind: "record",
      record: names.band,
      expr: `${numberLiteral(params.threshold)} * ${own(names.stddev)}`,
      labels,
    },
  ];
  // Every evaluation: one subtraction and one comparison against the recorded band (the
  // division by the stddev is done once per bucket, in the band); `$value` is the
  // deviation from the mean.
  const read = (name: string): string =>
    `last_over_time(${own(name)}[${duration(layout.readbackMs)}])`;
  const deviation =
    params.direction === "down"
      ? `${read(names.mean)} - ignoring(${MONITOR_LABEL}) ${source.ref}`
      : `${source.ref} - ignoring(${MONITOR_LABEL}) ${read(names.mean)}`;
  const score = params.direction === "both" ? `abs(${deviation})` : `(${deviation})`;
  return {
    alertExpr: `${score} > ignoring(${MONITOR_LABEL}) ${read(names.band)}`,
    recordings: source.recording ? [source.recording] : [],
    baseline: { intervalMs: layout.bucketMs, rules: baseline },
  };
}
