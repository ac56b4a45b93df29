import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import type { ZscoreParams } from "../../../spec/schema/detectors/zscore.js";

export type ZscoreMonitor = Monitor<ZscoreParams>;

/**
 * The time structure of a zscore monitor.
 *
 * - bucket: statistics of the raw signal are recorded once per bucket (avg, stdvar over
 *   the bucket), by a group that runs every bucket rather than every evaluation.
 * - window: the baseline combines window/bucket buckets through an aligned subquery, so
 *   it reads a handful of recorded points per series instead of every raw sample. The law
 *   of total variance combines them: var = mean(bucket variances) + var(bucket means).
 * - lag: the baseline ends `lag` before now. It is longer than `for`, so an anomaly is
 *   not part of its own baseline while it is pending, and cannot mask itself.
 *
 * Six buckets per window by default: the baseline group's cost per minute falls with the
 * square of the bucket size (fewer evaluations, each over fewer points), and measured in
 * Prometheus 2.42 over 10k series the every-minute alert then dominates the cost
 * (`npm run bench -- rulegen-eval-cost`).
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

/** The alert's value for a reading `x` against a baseline, as the alert expression computes it. */
export function zscoreValue(x: number, mean: number, stddev: number, params: ZscoreParams): number {
  const z = (x - mean) / flooredStddev(stddev, mean, params);
  switch (params.direction) {
    case "up":
      return z;
    case "down":
      return -z;
    case "both":
      return Math.abs(z);
  }
}
