import { anomalyEndFor } from "./anomaly-checks.js";
import type { TestScenario } from "./scenario.js";
import { SeriesValues } from "./series-values.js";
import { firstEvaluationAtOrAfter } from "./timing.js";

export interface WarmupScenarioInput {
  /** What is filling, for the title: "the baseline window", "the median and MAD windows". */
  readonly filling: string;
  /** The input series, in promtool's notation. */
  readonly series: string;
  readonly baseline: number;
  readonly anomaly: number;
  readonly forMs: number;
  readonly evaluationIntervalMs: number;
  readonly scrapeIntervalMs: number;
}

/**
 * A baseline detector must not fire before its windows hold enough history: a deviation
 * early in a series' life, long enough to fire once the windows are full, stays quiet.
 */
export function warmupScenario(input: WarmupScenarioInput): TestScenario {
  const ei = input.evaluationIntervalMs;
  const start = 10 * ei;
  const end = anomalyEndFor(start, input.forMs, ei);
  return {
    title: `stays quiet while ${input.filling} fill${input.filling.endsWith("s") ? "" : "s"} (warm-up)`,
    intervalMs: input.scrapeIntervalMs,
    inputs: [
      {
        series: input.series,
        values: new SeriesValues(input.scrapeIntervalMs)
          .holdUntil(input.baseline, start)
          .holdUntil(input.anomaly, end)
          .holdUntil(input.baseline, end + 5 * ei)
          .toString(),
      },
    ],
    checks: [
      { atMs: firstEvaluationAtOrAfter(start, ei) + input.forMs + ei, alerts: [] },
      { atMs: end, alerts: [] },
    ],
  };
}
