import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import { recordName } from "../../../spec/model/naming.js";
import { duration } from "../../../core/promql/promql-text.js";
import { defaultBucketMs } from "../zscore/layout.js";
import type { RobustParams } from "../../../spec/schema/detectors/robust.js";

export type RobustMonitor = Monitor<RobustParams>;

/**
 * The time structure of a robust monitor.
 *
 * - The median of the raw signal over the window is recomputed once per bucket by a
 *   slower group, lagged by one bucket plus `for` so an anomaly is not part of its own
 *   baseline while it is pending.
 * - Prometheus 2.42 has no mad_over_time: every evaluation records the absolute deviation
 *   of the signal from the current median, and the slower group takes the median of those
 *   deviations over the same lagged window: the MAD.
 * - Warm-up gate: the median needs `min_coverage` of the window's samples, and the MAD as
 *   many recorded deviations, so a new series cannot fire for about two windows.
 */
export interface RobustLayout {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly lagMs: number;
  readonly readbackMs: number;
  /** Samples of the signal the median's window must hold. */
  readonly minSamples: number;
  /** Recorded deviations the MAD's window must hold. */
  readonly minDeviations: number;
}

export function robustLayout(
  monitor: RobustMonitor,
  settings: Settings,
  signalRecorded: boolean,
): RobustLayout {
  const windowMs = durationMs(monitor.detector.window);
  const ei = settings.evaluationIntervalMs;
  const bucketMs = monitor.detector.bucket
    ? durationMs(monitor.detector.bucket)
    : defaultBucketMs(windowMs, ei);
  const sampleMs = signalRecorded ? ei : settings.scrapeIntervalMs;
  const coverage = monitor.detector.min_coverage;
  return {
    windowMs,
    bucketMs,
    lagMs: bucketMs + Math.ceil(monitor.forMs / bucketMs) * bucketMs,
    readbackMs: 2 * bucketMs,
    minSamples: Math.max(1, Math.ceil((coverage * windowMs) / sampleMs)),
    minDeviations: Math.max(1, Math.ceil((coverage * windowMs) / ei)),
  };
}

export interface RobustSeries {
  readonly median: string;
  readonly deviation: string;
  readonly mad: string;
  readonly band: string;
}

export function robustSeriesNames(monitor: RobustMonitor): RobustSeries {
  const w = duration(durationMs(monitor.detector.window));
  return {
    median: recordName(monitor, `median${w}`),
    deviation: recordName(monitor, "absdev"),
    mad: recordName(monitor, `mad${w}`),
    band: recordName(monitor, `band${w}`),
  };
}

/** Half-width of the band on a series whose MAD is `mad`, floors applied as the rule does. */
export function robustBand(mad: number, median: number, params: RobustParams): number {
  return Math.max(
    params.threshold * mad,
    params.min_relative_margin * Math.abs(median),
    params.min_margin,
  );
}
