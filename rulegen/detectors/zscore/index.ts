import { durationMs } from "../../../core/config/zod-fields.js";
import { zscoreView } from "./view.js";
import { formatDuration } from "../../../core/duration.js";
import { groupText, signalText, titleOf, valueText } from "../annotation-text.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import { zscoreLayout } from "./layout.js";
import type { ZscoreParams } from "../../../spec/schema/detectors/zscore.js";
import { planZscoreRules } from "./rules.js";
import { planZscoreTests } from "./tests.js";

export const zscoreDetector: DetectorDefinition<ZscoreParams> = {
  type: "zscore",
  signalShape: "range",
  defaultForMs: () => 5 * 60_000,

  check(monitor, settings): DetectorProblem[] {
    const problems: DetectorProblem[] = [];
    const window = durationMs(monitor.detector.window);
    const ei = settings.evaluationIntervalMs;
    const { bucketMs } = zscoreLayout(monitor, settings);
    const bucketPath = monitor.detector.bucket ? ["detector", "bucket"] : ["detector", "window"];
    if (bucketMs % ei !== 0) {
      problems.push({
        code: "invalid-value",
        message: `detector.bucket must be a multiple of the evaluation interval (${formatDuration(ei)})`,
        path: bucketPath,
      });
    } else if (window % bucketMs !== 0 || window / bucketMs < 2) {
      problems.push({
        code: "window-too-short",
        message: `detector.window (${monitor.detector.window}) must hold at least two whole buckets of ${formatDuration(bucketMs)}`,
        path: bucketPath,
      });
    }
    return problems;
  },

  sampleGates(monitor, settings) {
    const layout = zscoreLayout(monitor, settings);
    return [
      {
        what: `the ${monitor.detector.window} baseline's buckets`,
        windowMs: layout.windowMs,
        minSamples: layout.minBuckets,
        sizedForMs: settings.scrapeIntervalMs,
        resolutionMs: layout.bucketMs,
        path: ["detector", "window"],
      },
    ];
  },

  planRules: planZscoreRules,
  planTests: planZscoreTests,

  defaultAnnotations(monitor) {
    const params = monitor.detector;
    const direction =
      params.direction === "up" ? "above" : params.direction === "down" ? "below" : "away from";
    return {
      summary: `${titleOf(monitor)}: ${valueText(monitor)} ${direction} the ${params.window} baseline${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} is ${valueText(monitor)} ${direction} its mean over the previous ${params.window}, more than ${params.threshold} standard deviations. Layer: ${monitor.layer}.`,
    };
  },

  view: zscoreView,
};
