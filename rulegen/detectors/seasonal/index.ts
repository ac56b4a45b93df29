import { durationMs } from "../../../core/config/zod-fields.js";
import { seasonalView } from "./view.js";
import { formatDuration } from "../../../core/duration.js";
import { groupText, signalText, titleOf, valueText } from "../annotation-text.js";
import { checkBuckets } from "../bucket-checks.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import { defaultBucketMs } from "../zscore/layout.js";
import type { SeasonalParams } from "../../../spec/schema/detectors/seasonal.js";
import { planSeasonalRules } from "./rules.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { fewSamplesWarnings } from "../sample-gates.js";
import type { SampleGate } from "../sample-gates.js";
import { seasonalLayout } from "./layout.js";
import { planSeasonalTests } from "./tests.js";

export const seasonalDetector: DetectorDefinition<SeasonalParams> = {
  type: "seasonal",
  signalShape: "range",
  defaultForMs: () => 5 * 60_000,

  check(monitor, settings) {
    const params = monitor.detector;
    const windowMs = durationMs(params.window);
    const bucketMs = params.bucket
      ? durationMs(params.bucket)
      : defaultBucketMs(windowMs, settings.evaluationIntervalMs);
    const problems: DetectorProblem[] = checkBuckets(
      windowMs,
      params.window,
      bucketMs,
      settings.evaluationIntervalMs,
      params.bucket !== undefined,
    );
    const longest = Math.max(windowMs, durationMs(params.seasonal_window ?? params.window));
    const seen = new Set<number>();
    params.seasons.forEach((season, i) => {
      const seasonMs = durationMs(season);
      if (seasonMs < 2 * longest) {
        problems.push({
          code: "invalid-value",
          message: `detector.seasons[${i}] (${season}) must be at least twice the longest window (${formatDuration(longest)})`,
          path: ["detector", "seasons", i],
        });
      } else if (seen.has(seasonMs)) {
        problems.push({
          code: "invalid-value",
          message: `detector.seasons[${i}] (${season}) is listed twice`,
          path: ["detector", "seasons", i],
        });
      }
      seen.add(seasonMs);
    });
    return problems;
  },

  sampleGates(monitor, settings) {
    const source = planSignalSource(monitor, "range");
    const layout = seasonalLayout(monitor, settings, source.recorded);
    const sizedForMs = source.recorded ? settings.evaluationIntervalMs : settings.scrapeIntervalMs;
    const gates: SampleGate[] = [
      {
        what: `the short-term ${monitor.detector.window} window`,
        windowMs: layout.windowMs,
        minSamples: layout.minSamples,
        sizedForMs,
        resolutionMs: 0,
        path: ["detector", "window"],
      },
    ];
    if (layout.seasonalWindowMs !== layout.windowMs)
      gates.push({
        what: `the ${formatDuration(layout.seasonalWindowMs)} seasonal window`,
        windowMs: layout.seasonalWindowMs,
        minSamples: layout.minSeasonalSamples,
        sizedForMs,
        resolutionMs: 0,
        path: ["detector", "seasonal_window"],
      });
    return gates;
  },

  warnings(monitor, settings) {
    return fewSamplesWarnings(this.sampleGates?.(monitor, settings) ?? []);
  },

  planRules: planSeasonalRules,
  planTests: planSeasonalTests,

  defaultAnnotations(monitor) {
    const params = monitor.detector;
    const direction =
      params.direction === "up" ? "above" : params.direction === "down" ? "below" : "away from";
    return {
      summary: `${titleOf(monitor)}: ${valueText(monitor)} ${direction} the value expected at this time${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} is ${valueText(monitor)} ${direction} what the same time ${params.seasons.join(" and ")} ago, moved to the level of the last ${params.window}, predicts (band: ${params.threshold} x the ${params.statistic === "median" ? "MAD-based" : "standard"} spread). Layer: ${monitor.layer}.`,
    };
  },

  view: seasonalView,
};
