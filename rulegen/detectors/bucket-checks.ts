import { formatDuration } from "../../core/duration.js";
import type { DetectorProblem } from "./detector.js";

/**
 * Detectors that keep long-window statistics record them once per bucket, so the bucket
 * must be a whole number of evaluation intervals and the window a whole number (>= 2) of
 * buckets.
 */
export function checkBuckets(
  windowMs: number,
  windowText: string,
  bucketMs: number,
  evaluationIntervalMs: number,
  bucketSet: boolean,
): DetectorProblem[] {
  const path = bucketSet ? ["detector", "bucket"] : ["detector", "window"];
  if (bucketMs % evaluationIntervalMs !== 0) {
    return [
      {
        code: "invalid-value",
        message: `detector.bucket must be a multiple of the evaluation interval (${formatDuration(evaluationIntervalMs)})`,
        path,
      },
    ];
  }
  if (windowMs % bucketMs !== 0 || windowMs / bucketMs < 2) {
    return [
      {
        code: "window-too-short",
        message: `detector.window (${windowText}) must hold at least two whole buckets of ${formatDuration(bucketMs)}`,
        path,
      },
    ];
  }
  return [];
}
