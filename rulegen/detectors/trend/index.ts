import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor } from "../../../spec/model/monitor.js";
import { duration, numberLiteral } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { SeriesValues } from "../../testgen/series-values.js";
import type { TestScenario } from "../../testgen/scenario.js";
import { firingAt, firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import { groupText, signalText, titleOf, valueText } from "../annotation-text.js";
import type { DetectorDefinition } from "../detector.js";
import type { TrendParams } from "../../../spec/schema/detectors/trend.js";

type TrendMonitor = Monitor<TrendParams>;

export const trendDetector: DetectorDefinition<TrendParams> = {
  type: "trend",
  signalShape: "range",
  defaultForMs: () => 5 * 60_000,

  check(monitor) {
    const { min_change, min_relative_change } = monitor.detector;
    if (min_change === 0 && min_relative_change === 0)
      return [
        {
          code: "invalid-value",
          message:
            "set min_change or min_relative_change above 0, or every tiny slope of noise fires",
          path: ["detector"],
        },
      ];
    return [];
  },

  planRules(monitor, settings) {
    const source = planSignalSource(monitor, "range");
    const params = monitor.detector;
    const windowMs = durationMs(params.window);
    const sampleMs = source.recorded ? settings.evaluationIntervalMs : settings.scrapeIntervalMs;
    const minSamples = Math.max(2, Math.ceil((params.min_coverage * windowMs) / sampleMs));
    const range = `${source.ref}[${duration(windowMs)}]`;
    const sign = params.direction === "up" ? "" : "-";
    // deriv is per second; times the window it is the change the fitted line makes.
    const change = `${sign}deriv(${range}) * ${windowMs / 1000}`;
    const parts = [`${change} > ${numberLiteral(params.min_change)}`];
    if (params.min_relative_change > 0)
      parts.push(
        `${change} > ${numberLiteral(params.min_relative_change)} * abs(avg_over_time(${range}))`,
      );
    parts.push(`count_over_time(${range}) >= ${minSamples}`);
    return {
      alertExpr: parts.join(" and "),
      recordings: source.recording ? [source.recording] : [],
    };
  },

  planTests(monitor: TrendMonitor, settings): TestScenario[] {
    const source = planSignalSource(monitor, "range");
    const params = monitor.detector;
    const ei = settings.evaluationIntervalMs;
    const si = settings.scrapeIntervalMs;
    const windowMs = durationMs(params.window);
    const [group = {}] = source.groups(1);
    const sign = params.direction === "up" ? 1 : -1;
    // From 0, a line rising by `rise` per window: its mean stays below 1.5 rises while
    // checked, so the relative threshold (at most 1) holds whenever rise > 1.5 x it.
    const rise = Math.max(100, 4 * params.min_change);
    const perSample = (rise * si) / windowMs;
    const startMs = windowMs + 5 * ei;
    const rampEnd = startMs + 2 * windowMs;
    const flatEnd = rampEnd + windowMs + 10 * ei;
    const values = new SeriesValues(si).holdUntil(0, startMs);
    const rampStart = values.atMs;
    const samples = Math.ceil((rampEnd - rampStart) / si);
    values.rampUntil(0, sign * perSample, rampEnd);
    values.holdUntil(sign * perSample * (samples - 1), flatEnd);
    const fullWindow = firstEvaluationAtOrAfter(rampStart + windowMs + si, ei);
    const firing = firingAt(fullWindow, monitor.forMs, ei);
    const labels = source.outputLabels(group);
    // The fitted slope of cycling noise is small against 10% of 100, or of min_change.
    const noise = params.min_relative_change > 0 ? 10 : params.min_change / 10;
    return [
      {
        title: `fires on a steady ${params.direction === "up" ? "rise" : "fall"} of ${numberLiteral(rise)} per ${params.window}, quiet once it levels off`,
        intervalMs: si,
        inputs: [{ series: source.inputSeries(group), values: values.toString() }],
        checks: [
          { atMs: rampStart - ei, alerts: [] },
          { atMs: firing, alerts: [{ labels, value: rise }] },
          {
            atMs:
              firstEvaluationAtOrAfter(rampEnd + windowMs + si, ei) +
              Math.ceil((monitor.keepFiringForMs ?? 0) / ei) * ei,
            alerts: [],
          },
        ],
      },
      {
        title: "stays quiet on flat noise",
        intervalMs: si,
        inputs: [
          {
            series: source.inputSeries(group),
            values: new SeriesValues(si)
              .cycleUntil([100 - noise, 100, 100 + noise], 2 * windowMs + 20 * ei)
              .toString(),
          },
        ],
        checks: [{ atMs: 2 * windowMs + 10 * ei, alerts: [] }],
      },
    ];
  },

  defaultAnnotations(monitor) {
    const params = monitor.detector;
    const word = params.direction === "up" ? "rose" : "fell";
    return {
      summary: `${titleOf(monitor)}: ${word} by ${valueText(monitor)} over ${params.window}${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} ${word} steadily: its fitted slope amounts to ${valueText(monitor)} over the last ${params.window}. Layer: ${monitor.layer}.`,
    };
  },
};
