import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import type { ZscoreParams } from "../../../spec/schema/detectors/zscore.js";

export type ZscoreMonitor = Monitor<ZscoreParams>;

/**
 * The time structure of a zscore monitor.
 *
 * - bucket: statistics of the raw signal are recorded once per bucket (avg, stdvar over
 *   the bucket), by a group that runs every bucket rather than every evaluation.
 * - window: the baseline combines the window's bucket statistics with a plain range, so it
 *   reads a handful of recorded points per series instead of every raw sample. The law
 *   of total variance combines them: var = mean(bucket variances) + var(bucket means).
 *   The band (threshold x floored stddev) is recorded with them, so the every-minute
 *   alert is one subtraction and one comparison.
 * - lag: the baseline ends `lag` before now. It is longer than `for`, so an anomaly is
 *   not part of its own baseline while it is pending, and cannot mask itself.
 *
 * Six buckets per window by default: measured in Prometheus 2.42 over 10k series the
 * every-minute alert dominates the cost (`npm run bench -- rulegen-eval-cost`): it reads
 * the raw signal and the two recorded series, and each binary operation over 10k series
 * costs as much as a selector, so it has two (a division per evaluation was a third).
 */
export interface ZscoreLayout {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly lagMs: number;
  readonly bucketsPerWindow: number;
  /** Lookback for reading the slower group's series with last_over_time. */
  readonly readbackMs: number;
  /** Buckets that must hold data before a baseline is published (the warm-up gate). */
  readonly minBuckets: number;
}

const HOUR = 3_600_000;
const BUCKETS_PER_WINDOW = 6;

export function defaultBucketMs(windowMs: number, evaluationIntervalMs: number): number {
  const target = Math.min(Math.max(windowMs / BUCKETS_PER_WINDOW, evaluationIntervalMs), HOUR);
  const aligned = Math.max(
    evaluationIntervalMs,
    Math.floor(target / evaluationIntervalMs) * evaluationIntervalMs,
  );
  // The window must hold a whole number of buckets.
  let bucket = aligned;
  while (bucket > evaluationIntervalMs && windowMs % bucket !== 0) bucket -= evaluationIntervalMs;
  return bucket;
}

export function zscoreLayout(monitor: ZscoreMonitor, settings: Settings): ZscoreLayout {
  const windowMs = durationMs(monitor.detector.window);
  const bucketMs = monitor.detector.bucket
    ? durationMs(monitor.detector.bucket)
    : defaultBucketMs(windowMs, settings.evaluationIntervalMs);
  const lagMs = bucketMs + Math.ceil(monitor.forMs / bucketMs) * bucketMs;
  const bucketsPerWindow = Math.max(1, Math.round(windowMs / bucketMs));
  return {
    windowMs,
    bucketMs,
    lagMs,
    bucketsPerWindow,
    readbackMs: 2 * bucketMs,
    minBuckets: Math.max(1, Math.ceil(monitor.detector.min_coverage * bucketsPerWindow)),
  };
}

/** Floor applied to the standard deviation, the same way the recording rule applies it. */
export function flooredStddev(stddev: number, mean: number, params: ZscoreParams): number {
  const relative = params.min_relative_stddev * Math.abs(mean);
  const withRelative =
    params.min_relative_stddev > 0 ? (stddev > relative ? stddev : relative) : stddev;
  return Math.max(withRelative, params.min_stddev);
}

/** The alert's value for a reading `x` against a baseline mean: its deviation, as the alert computes it. */
export function zscoreValue(x: number, mean: number, params: ZscoreParams): number {
  switch (params.direction) {
    case "up":
      return x - mean;
    case "down":
      return mean - x;
    case "both":
      return Math.abs(x - mean);
  }
}
