import { durationMs } from "../../../core/config/zod-fields.js";
import { duration } from "../../../core/promql/promql-text.js";
import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import { recordName } from "../../../spec/model/naming.js";
import type { AnomalyParams } from "../../../spec/schema/detectors/anomaly.js";

export type AnomalyMonitor = Monitor<AnomalyParams>;

/** The peaks' spread is p90 - p50 of the bucket peaks (p50 - p10 of the troughs). */
export const SPREAD_QUANTILE = 0.9;

/**
 * The spread is at least this share of the usual bucket range (median peak - median
 * trough). Light-tailed noise has peaks that vary little, so p90 - p50 alone would page on
 * Gaussian noise every few weeks; with the floor, 2 weeks of it at 1m or 5m stay quiet.
 */
export const RANGE_FLOOR = 0.5;

/**
 * The time structure of an anomaly monitor.
 *
 * - Every bucket a slower group records the signal's peak (max) and trough (min) over the
 *   bucket. A false alarm needs one sample past the bound in a bucket, i.e. a bucket peak
 *   past it; bounds learned from the distribution of bucket peaks therefore give the same
 *   false-alarm rate per bucket whether a bucket holds 1 sample or 240.
 * - Over the window it takes the peaks' median and 90th percentile (troughs': median and
 *   10th): quantiles, so a spike or an incident in the history barely moves them and no
 *   lag is needed; a week holds every hour of a daily and a weekly cycle, so the cycles
 *   stay inside the range.
 * - Upper bound: the larger of p50 + threshold x spread (p90 - p50, at least half the
 *   usual bucket range and the floors) and the highest peak of the
 *   last `recent`. The alert reads the bound recorded one evaluation ago, so the current
 *   sample is never part of its own bound (promtool evaluates slower groups every time).
 * - Warm-up: the window must reach back a seventh of its length (a day of a week) and hold
 *   as many bucket peaks, whatever the sample interval.
 */
export interface AnomalyLayout {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly recentMs: number;
  readonly warmupMs: number;
  readonly minBuckets: number;
  readonly readbackMs: number;
  /** How far back the alert reads the bounds: one evaluation interval. */
  readonly readOffsetMs: number;
}

export function anomalyLayout(monitor: AnomalyMonitor, settings: Settings): AnomalyLayout {
  const params = monitor.detector;
  const windowMs = durationMs(params.window);
  const bucketMs = durationMs(params.bucket);
  const warmupMs = Math.max(bucketMs, Math.round(windowMs / 7 / bucketMs) * bucketMs);
  return {
    windowMs,
    bucketMs,
    recentMs: params.recent ? durationMs(params.recent) : windowMs / 2,
    warmupMs,
    minBuckets: Math.max(1, Math.round(warmupMs / bucketMs)),
    readbackMs: 2 * bucketMs,
    readOffsetMs: settings.evaluationIntervalMs,
  };
}

export interface AnomalySeries {
  readonly peak: string;
  readonly trough: string;
  readonly peakMedian: string;
  readonly peakHigh: string;
  readonly troughMedian: string;
  readonly troughLow: string;
  readonly upper: string;
  readonly lower: string;
}

export function anomalySeriesNames(monitor: AnomalyMonitor): AnomalySeries {
  const b = duration(durationMs(monitor.detector.bucket));
  const w = duration(durationMs(monitor.detector.window));
  return {
    peak: recordName(monitor, `max${b}`),
    trough: recordName(monitor, `min${b}`),
    peakMedian: recordName(monitor, `max${b}_p50_${w}`),
    peakHigh: recordName(monitor, `max${b}_p90_${w}`),
    troughMedian: recordName(monitor, `min${b}_p50_${w}`),
    troughLow: recordName(monitor, `min${b}_p10_${w}`),
    upper: recordName(monitor, "anomaly_upper"),
    lower: recordName(monitor, "anomaly_lower"),
  };
}

/**
 * How far past a repeating pattern's extreme the bound lies when every bucket peak (or
 * trough) is that extreme: p90 - p50 is 0, so the spread is its largest floor; the usual
 * range is the pattern's (max - min).
 */
export function flatMargin(extreme: number, params: AnomalyParams, usualRange = 0): number {
  return (
    params.threshold *
    Math.max(
      RANGE_FLOOR * usualRange,
      params.min_relative_margin * Math.abs(extreme),
      params.min_margin,
    )
  );
}
