import type { Settings } from "../../../spec/model/monitor.js";
import { MONITOR_LABEL } from "../../../spec/model/naming.js";
import { duration, numberLiteral, quote } from "../../../core/promql/promql-text.js";
import { monitorLabels, ownSeries, readBack } from "../../plan/recorded-series.js";
import type { RecordingRule } from "../../plan/rule-plan.js";
import { planSignalSource } from "../../plan/signal-source.js";
import type { DetectorRulePlan } from "../detector.js";
import { floorBand } from "../robust/rules.js";
import { MAD_TO_STDDEV, seasonalLayout, seasonalSeriesNames } from "./layout.js";
import type { SeasonalMonitor } from "./layout.js";

/** The label that tells which season a seasonal statistic comes from. */
export const SEASON_LABEL = "season";

export function planSeasonalRules(monitor: SeasonalMonitor, settings: Settings): DetectorRulePlan {
  const source = planSignalSource(monitor, "range");
  const layout = seasonalLayout(monitor, settings, source.recorded);
  const names = seasonalSeriesNames(monitor);
  const params = monitor.detector;
  const labels = monitorLabels(monitor);
  const median = params.statistic === "median";
  const x = source.ref;
  const deviations = ownSeries(monitor, names.deviation);
  const win = (expr: string, ms: number, offsetMs: number): string =>
    `${expr}[${duration(ms)}] offset ${duration(offsetMs)}`;
  const level = (range: string): string =>
    median ? `quantile_over_time(0.5, ${range})` : `avg_over_time(${range})`;
  const gate = (range: string, min: number): string => `count_over_time(${range}) >= ${min}`;
  // Spread over a window ending `offsetMs` ago: stddev, or the MAD of the recorded deviations.
  const spread = (ms: number, offsetMs: number, minSamples: number, minDeviations: number) =>
    median
      ? `${MAD_TO_STDDEV} * quantile_over_time(0.5, ${win(deviations, ms, offsetMs)}) and ${gate(win(deviations, ms, offsetMs), minDeviations)}`
      : `stddev_over_time(${win(x, ms, offsetMs)}) and ${gate(win(x, ms, offsetMs), minSamples)}`;
  const perSeason = (build: (seasonMs: number) => string): string =>
    layout.seasonsMs
      .map(
        (seasonMs, i) =>
          `label_replace(${build(seasonMs)}, ${quote(SEASON_LABEL)}, ${quote(params.seasons[i] ?? "")}, "", "")`,
      )
      .join(" or ");
  const centred = (seasonMs: number): number => seasonMs - layout.seasonalWindowMs / 2;

  const seasonal: RecordingRule[] = [
    {
      kind: "record",
      record: names.seasonalDelta,
      expr: perSeason((s) => {
        const around = win(x, layout.seasonalWindowMs, centred(s));
        const before = win(x, layout.windowMs, s + layout.lagMs);
        return `(${level(around)} - ${level(before)} and ${gate(around, layout.minSeasonalSamples)} and ${gate(before, layout.minSamples)})`;
      }),
      labels,
    },
    {
      kind: "record",
      record: names.seasonalSpread,
      expr: perSeason(
        (s) =>
          `(${spread(layout.seasonalWindowMs, centred(s), layout.minSeasonalSamples, layout.minSeasonalDeviations)})`,
      ),
      labels,
    },
  ];

  const rb = (name: string): string => readBack(monitor, name, layout.readbackMs);
  const own = (name: string): string => ownSeries(monitor, name);
  const recent = win(x, layout.windowMs, layout.lagMs);

  const w = params.short_term_weight;
  // The largest short-term spread of the last window (as in robust): the aftermath of an
  // incident, while the short-term window still holds it, does not page.
  const shortSpread = `max_over_time(${own(names.spread)}[${duration(layout.windowMs)}])`;
  const seasonsSpread = `avg without(${SEASON_LABEL}) (${rb(names.seasonalSpread)})`;
  const combined =
    w >= 1
      ? shortSpread
      : w <= 0
        ? `${seasonsSpread} or ${shortSpread}`
        : `(${numberLiteral(w)} * ${shortSpread} + ${numberLiteral(round(1 - w))} * ${seasonsSpread}) or ${shortSpread}`;
  const relative =
    params.min_relative_margin > 0
      ? `${numberLiteral(params.min_relative_margin)} * abs(${own(names.expected)})`
      : undefined;
  const baseline: RecordingRule[] = [
    {
      kind: "record",
      record: names.level,
      expr: `${level(recent)} and ${gate(recent, layout.minSamples)}`,
      labels,
    },
    {
      kind: "record",
      record: names.spread,
      expr: spread(layout.windowMs, layout.lagMs, layout.minSamples, layout.minDeviations),
      labels,
    },
    {
      kind: "record",
      record: names.expected,
      expr: `${own(names.level)} + avg without(${SEASON_LABEL}) (${rb(names.seasonalDelta)}) or ${own(names.level)}`,
      labels,
    },
    {
      kind: "record",
      record: names.band,
      expr: `(${floorBand(`${numberLiteral(params.threshold)} * (${combined})`, relative, params.min_margin)}) and ${own(names.expected)}`,
      labels,
    },
    {
      kind: "record",
      record: names.shortBand,
      expr: floorBand(
        `${numberLiteral(params.threshold)} * ${shortSpread}`,
        params.min_relative_margin > 0
          ? `${numberLiteral(params.min_relative_margin)} * abs(${own(names.level)})`
          : undefined,
        params.min_margin,
      ),
      labels,
    },
  ];

  const expected = rb(names.expected);
  const deviation = `${x} - ignoring(${MONITOR_LABEL}) ${expected}`;
  const score =
    params.direction === "both"
      ? `abs(${deviation})`
      : params.direction === "up"
        ? `(${deviation})`
        : `(${expected} - ignoring(${MONITOR_LABEL}) ${x})`;
  const recordings: RecordingRule[] = source.recording ? [source.recording] : [];
  if (median) {
    recordings.push({
      kind: "record",
      record: names.deviation,
      expr: `abs(${x} - ignoring(${MONITOR_LABEL}) ${rb(names.level)})`,
      labels,
    });
  }
  // Outside the band expected at this time *and* outside the short-term band: what
  // happened a season ago (an incident included) cannot page today on its own.
  const shortLevel = rb(names.level);
  const shortDeviation = `abs(${x} - ignoring(${MONITOR_LABEL}) ${shortLevel}) > ignoring(${MONITOR_LABEL}) ${rb(names.shortBand)}`;
  return {
    alertExpr: `${score} > ignoring(${MONITOR_LABEL}) ${rb(names.band)} and ${shortDeviation}`,
    recordings,
    baseline: { intervalMs: layout.bucketMs, rules: baseline },
    seasonal: { intervalMs: layout.bucketMs, rules: seasonal },
  };
}

function round(value: number): number {
  return Number(value.toPrecision(12));
}
