import { durationMs } from "../../../core/config/zod-fields.js";
import { robustView } from "./view.js";
import { groupText, signalText, titleOf, valueText } from "../annotation-text.js";
import { checkBuckets } from "../bucket-checks.js";
import type { DetectorDefinition } from "../detector.js";
import { defaultBucketMs } from "../zscore/layout.js";
import type { RobustParams } from "../../../spec/schema/detectors/robust.js";
import { planRobustRules } from "./rules.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { fewSamplesWarnings } from "../sample-gates.js";
import { robustLayout } from "./layout.js";
import { planRobustTests } from "./tests.js";

export const robustDetector: DetectorDefinition<RobustParams> = {
  type: "robust",
  signalShape: "range",
  defaultForMs: () => 5 * 60_000,

  check(monitor, settings) {
    const windowMs = durationMs(monitor.detector.window);
    const bucket = monitor.detector.bucket;
    const bucketMs = bucket
      ? durationMs(bucket)
      : defaultBucketMs(windowMs, settings.evaluationIntervalMs);
    return checkBuckets(
      windowMs,
      monitor.detector.window,
      bucketMs,
      settings.evaluationIntervalMs,
      bucket !== undefined,
    );
  },

  sampleGates(monitor, settings) {
    const source = planSignalSource(monitor, "range");
    const layout = robustLayout(monitor, settings, source.recorded);
    return [
      {
        what: `the median's ${monitor.detector.window} window`,
        windowMs: layout.windowMs,
        minSamples: layout.minSamples,
        sizedForMs: source.recorded ? settings.evaluationIntervalMs : settings.scrapeIntervalMs,
        resolutionMs: 0,
        path: ["detector", "window"],
      },
    ];
  },

  warnings(monitor, settings) {
    return fewSamplesWarnings(this.sampleGates?.(monitor, settings) ?? []);
  },

  planRules: planRobustRules,
  planTests: planRobustTests,

  defaultAnnotations(monitor) {
    const params = monitor.detector;
    const direction =
      params.direction === "up" ? "above" : params.direction === "down" ? "below" : "away from";
    return {
      summary: `${titleOf(monitor)}: ${valueText(monitor)} ${direction} the ${params.window} median${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} is ${valueText(monitor)} ${direction} its median over the previous ${params.window}, outside the band of ${params.threshold} median absolute deviations. Layer: ${monitor.layer}.`,
    };
  },

  view: robustView,
};
