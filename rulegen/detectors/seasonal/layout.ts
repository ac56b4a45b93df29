import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import { recordName } from "../../../spec/model/naming.js";
import { duration } from "../../../core/promql/promql-text.js";
import { defaultBucketMs } from "../zscore/layout.js";
import type { SeasonalParams } from "../../../spec/schema/detectors/seasonal.js";

export type SeasonalMonitor = Monitor<SeasonalParams>;

/** MAD x 1.4826 estimates the standard deviation of normal data, so thresholds compare. */
export const MAD_TO_STDDEV = 1.4826;

/**
 * The time structure of a seasonal monitor, for a reading at time t:
 *
 * - short term: the level (mean or median) and spread of the window ending `lag` before t
 *   (one bucket plus `for`, so a pending anomaly is not its own baseline);
 * - per season s: the *shape* delta = level of the window centred on t - s minus the level
 *   of the short-term window a season ago (t - s - lag - window ... t - s - lag), and the
 *   spread of the centred window;
 * - expected value = short-term level + mean delta over the seasons (the season-ago shape
 *   moved to today's level); before a season of history exists, the short-term level;
 * - band = threshold x (w x short-term spread + (1 - w) x seasons' spread), with floors.
 */
export interface SeasonalLayout {
  readonly windowMs: number;
  readonly seasonalWindowMs: number;
  readonly seasonsMs: readonly number[];
  readonly bucketMs: number;
  readonly lagMs: number;
  readonly readbackMs: number;
  readonly minSamples: number;
  readonly minSeasonalSamples: number;
  /** Median statistic: recorded deviations each window must hold. */
  readonly minDeviations: number;
  readonly minSeasonalDeviations: number;
}

export function seasonalLayout(
  monitor: SeasonalMonitor,
  settings: Settings,
  signalRecorded: boolean,
): SeasonalLayout {
  const params = monitor.detector;
  const windowMs = durationMs(params.window);
  const seasonalWindowMs = durationMs(params.seasonal_window ?? params.window);
  const ei = settings.evaluationIntervalMs;
  const bucketMs = params.bucket ? durationMs(params.bucket) : defaultBucketMs(windowMs, ei);
  const sampleMs = signalRecorded ? ei : settings.scrapeIntervalMs;
  const need = (ms: number, every: number): number =>
    Math.max(1, Math.ceil((params.min_coverage * ms) / every));
  return {
    windowMs,
    seasonalWindowMs,
    seasonsMs: params.seasons.map(durationMs),
    bucketMs,
    lagMs: bucketMs + Math.ceil(monitor.forMs / bucketMs) * bucketMs,
    readbackMs: 2 * bucketMs,
    minSamples: need(windowMs, sampleMs),
    minSeasonalSamples: need(seasonalWindowMs, sampleMs),
    minDeviations: need(windowMs, ei),
    minSeasonalDeviations: need(seasonalWindowMs, ei),
  };
}

export interface SeasonalSeries {
  readonly level: string;
  readonly spread: string;
  readonly deviation: string;
  readonly seasonalDelta: string;
  readonly seasonalSpread: string;
  readonly expected: string;
  readonly band: string;
  readonly shortBand: string;
}

export function seasonalSeriesNames(monitor: SeasonalMonitor): SeasonalSeries {
  const w = duration(durationMs(monitor.detector.window));
  const stat = monitor.detector.statistic === "median" ? "median" : "avg";
  const spread = monitor.detector.statistic === "median" ? "mad" : "stddev";
  return {
    level: recordName(monitor, `${stat}${w}`),
    spread: recordName(monitor, `${spread}${w}`),
    deviation: recordName(monitor, "absdev"),
    seasonalDelta: recordName(monitor, `seasonal_delta${w}`),
    seasonalSpread: recordName(monitor, `seasonal_${spread}${w}`),
    expected: recordName(monitor, `expected${w}`),
    band: recordName(monitor, `band${w}`),
    shortBand: recordName(monitor, `short_band${w}`),
  };
}
