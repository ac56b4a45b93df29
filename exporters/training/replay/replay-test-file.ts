import { stringify } from "yaml";
import { formatDuration } from "../../../core/duration.js";
import { numberLiteral } from "../../../core/promql/promql-text.js";
import type { ReplayScrapes } from "./replay-scrapes.js";

export interface ReplayTestPlan {
  readonly testFile: string;
  readonly evaluationTimes: readonly number[];
}

/**
 * A promtool unit-test file that replays the scraped series through the rule files and
 * expects no firing alert at every evaluation: promtool's failures then list exactly
 * what fired, and when (the same trick as `rules backtest`).
 */
export function planReplayTest(
  scrapes: ReplayScrapes,
  ruleFiles: readonly string[],
  evaluationIntervalMs: number,
): ReplayTestPlan {
  const endMs = scrapes.times[scrapes.times.length - 1] ?? 0;
  const evaluationTimes: number[] = [];
  for (let t = 0; t <= endMs; t += evaluationIntervalMs) evaluationTimes.push(t);
  const inputSeries = [...scrapes.series.entries()].map(([series, { values }]) => ({
    series,
    values: compactValues(values),
  }));
  const document = {
    rule_files: [...ruleFiles],
    evaluation_interval: formatDuration(evaluationIntervalMs),
    tests: [
      {
        interval: formatDuration(scrapes.scrapeIntervalMs),
        input_series: inputSeries,
        promql_expr_test: evaluationTimes.map((t) => ({
          expr: 'ALERTS{alertstate="firing"}',
          eval_time: formatDuration(t),
          exp_samples: [],
        })),
      },
    ],
  };
  return { testFile: stringify(document, { lineWidth: 0 }), evaluationTimes };
}

/** promtool's series notation, with runs of one value written once (`vxN`, `_xN`). */
export function compactValues(values: readonly (number | undefined)[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const value = values[i];
    let j = i + 1;
    while (j < values.length && same(values[j], value)) j++;
    const run = j - i;
    // `vxN` is N + 1 samples, but `_xN` is N missing ones (promtool's notation).
    if (value === undefined) parts.push(run === 1 ? "_" : `_x${run}`);
    else parts.push(run === 1 ? numberLiteral(value) : `${numberLiteral(value)}x${run - 1}`);
    i = j;
  }
  return parts.join(" ");
}

function same(a: number | undefined, b: number | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && Number.isNaN(a) && Number.isNaN(b));
}
