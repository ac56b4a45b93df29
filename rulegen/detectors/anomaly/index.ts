import { durationMs } from "../../../core/config/zod-fields.js";
import { formatDuration } from "../../../core/duration.js";
import type { AnomalyParams } from "../../../spec/schema/detectors/anomaly.js";
import { groupText, signalText, titleOf, valueText } from "../annotation-text.js";
import { checkBuckets } from "../bucket-checks.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import { anomalyLayout } from "./layout.js";
import { planAnomalyRules } from "./rules.js";
import { planAnomalyTests } from "./tests.js";
import { anomalyView } from "./view.js";

export const anomalyDetector: DetectorDefinition<AnomalyParams> = {
  type: "anomaly",
  signalShape: "range",
  // One sample past the bounds is an anomaly: on a 5-minute or hourly series a `for` of
  // minutes is one sample anyway, and the bounds are set for a rare false alarm per bucket.
  defaultForMs: () => 0,
  // One page per incident: a burst of spikes within a bucket is one episode.
  defaultKeepFiringForMs: (params) => durationMs(params.bucket),

  check(monitor, settings) {
    const params = monitor.detector;
    const layout = anomalyLayout(monitor, settings);
    const problems: DetectorProblem[] = checkBuckets(
      layout.windowMs,
      params.window,
      layout.bucketMs,
      settings.evaluationIntervalMs,
      true,
    );
    if (layout.recentMs < layout.bucketMs)
      problems.push({
        code: "window-too-short",
        message: `detector.recent (${formatDuration(layout.recentMs)}) must be at least one bucket (${params.bucket})`,
        path: ["detector", "recent"],
      });
    return problems;
  },

  warnings(monitor, settings) {
    const layout = anomalyLayout(monitor, settings);
    if (settings.scrapeIntervalMs <= layout.bucketMs) return [];
    return [
      {
        code: "few-samples",
        message: `detector.bucket (${monitor.detector.bucket}) is shorter than the scrape interval (${formatDuration(settings.scrapeIntervalMs)}): most buckets hold no sample; set bucket to at least the sample interval`,
        path: ["detector", "bucket"],
      },
    ];
  },

  sampleGates(monitor, settings) {
    const layout = anomalyLayout(monitor, settings);
    return [
      {
        what: `the warm-up (${layout.minBuckets} buckets of ${monitor.detector.bucket} with a sample)`,
        windowMs: layout.windowMs,
        minSamples: layout.minBuckets,
        sizedForMs: settings.scrapeIntervalMs,
        resolutionMs: layout.bucketMs,
        path: ["detector", "bucket"],
      },
    ];
  },

  planRules: planAnomalyRules,
  planTests: planAnomalyTests,

  defaultAnnotations(monitor, settings) {
    const params = monitor.detector;
    const where =
      params.direction === "up"
        ? "above its usual peaks"
        : params.direction === "down"
          ? "below its usual troughs"
          : "outside its usual range";
    return {
      summary: `${titleOf(monitor)}: ${valueText(monitor)} is ${where}${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} is ${valueText(monitor)}: ${threshold(params)} spreads past its usual ${params.bucket} ${params.direction === "down" ? "troughs" : "peaks"} over the last ${params.window}, and beyond anything in the last ${formatDuration(anomalyLayout(monitor, settings).recentMs)}. Layer: ${monitor.layer}.`,
    };
  },

  view: anomalyView,
};

function threshold(params: AnomalyParams): string {
  return `more than ${params.threshold}`;
}
