import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor, Settings } from "../../model/monitor.js";
import type { ZscoreParams } from "./params.js";

export type ZscoreMonitor = Monitor<ZscoreParams>;

/**
 * The time structure of a zscore monitor.
 *
 * - bucket: statistics of the raw signal are recorded once per bucket (avg, stdvar over
 *   the bucket), by a group that runs every bucket rather than every evaluation.
 * - window: the baseline combines window/bucket buckets through an aligned subquery, so
 *   it reads ~12 recorded points per series instead of every raw sample. The law of total
 *   variance combines them: var = mean(bucket variances) + var(bucket means).
 * - lag: the baseline ends `lag` before now. It is longer than `for`, so an anomaly is
 *   not part of its own baseline while it is pending, and cannot mask itself.
 */
export interface ZscoreLayout {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly lagMs: number;
  readonly bucketsPerWindow: number;
  /** Lookback for reading the slower group's series with last_over_time. */
  readonly readbackMs: number;
}

const HOUR = 3_600_000;

export function defaultBucketMs(windowMs: number, evaluationIntervalMs: number): number {
  const target = Math.min(Math.max(windowMs / 12, evaluationIntervalMs), HOUR);
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
  return {
    windowMs,
    bucketMs,
    lagMs,
    bucketsPerWindow: Math.max(1, Math.round(windowMs / bucketMs)),
    readbackMs: 2 * bucketMs,
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
