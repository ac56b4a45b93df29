import { numberLiteral } from "../../core/promql/promql-text.js";
import { anomalyEndFor } from "./anomaly-checks.js";
import type { TestScenario } from "./scenario.js";
import { SeriesValues } from "./series-values.js";
import { firingAt, firstEvaluationAtOrAfter } from "./timing.js";

export interface FlatAtZeroScenarioInput {
  /** The input series, in promtool's notation. */
  readonly series: string;
  /** When the detector's baseline holds enough history to fire. */
  readonly readyMs: number;
  /** The band's absolute floor (half-width in the signal's units) on a flat series. */
  readonly absoluteBand: number;
  /** -1 when only falls count. */
  readonly sign: number;
  readonly forMs: number;
  readonly evaluationIntervalMs: number;
  readonly scrapeIntervalMs: number;
}

/**
 * A series flat at 0 has no spread and no relative floor: only the absolute floor keeps a
 * change of a hair from scoring infinitely many deviations. Half the floor must stay quiet.
 */
export function flatAtZeroScenario(input: FlatAtZeroScenarioInput): TestScenario {
  const ei = input.evaluationIntervalMs;
  const change = (input.sign * input.absoluteBand) / 2;
  const values = new SeriesValues(input.scrapeIntervalMs).holdUntil(0, input.readyMs);
  const start = values.atMs;
  const end = anomalyEndFor(start, input.forMs, ei);
  values.holdUntil(change, end);
  const active = firstEvaluationAtOrAfter(start, ei);
  return {
    title: `stays quiet when a series flat at 0 moves by ${numberLiteral(change)} (half the absolute floor)`,
    intervalMs: input.scrapeIntervalMs,
    inputs: [{ series: input.series, values: values.toString() }],
    checks: [
      { atMs: firingAt(active, input.forMs, ei), alerts: [] },
      { atMs: firingAt(active, input.forMs, ei) + ei, alerts: [] },
    ],
  };
}
