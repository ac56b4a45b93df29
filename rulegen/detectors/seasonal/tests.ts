import type { Settings } from "../../../spec/model/monitor.js";
import { numberLiteral } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { anomalyChecks, anomalyEndFor } from "../../testgen/anomaly-checks.js";
import { SeriesValues } from "../../testgen/series-values.js";
import type { AlertCheck, TestScenario } from "../../testgen/scenario.js";
import { flatAtZeroScenario } from "../../testgen/flat-at-zero-scenario.js";
import { warmupScenario } from "../../testgen/warmup-scenario.js";
import { firingAt, firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import { seasonalLayout } from "./layout.js";
import type { SeasonalMonitor } from "./layout.js";

const BASELINE = 100;
const STEP = 50;

/**
 * Flat stretches make every statistic exact on Prometheus 2 and 3 alike. The season
 * scenario shows what a short-term band cannot do: a step on day one fires (nothing
 * expects it), the same step a season later is expected and stays quiet, and a jump at
 * another time of day fires.
 */
export function planSeasonalTests(monitor: SeasonalMonitor, settings: Settings): TestScenario[] {
  const source = planSignalSource(monitor, "range");
  const layout = seasonalLayout(monitor, settings, source.recorded);
  const params = monitor.detector;
  const ei = settings.evaluationIntervalMs;
  const si = settings.scrapeIntervalMs;
  const [group = {}] = source.groups(1);
  const labels = source.outputLabels(group);
  const sign = params.direction === "down" ? -1 : 1;
  const floor = Math.max(params.min_relative_margin * BASELINE, params.min_margin);
  const jump = floor > 0 ? 3 * floor : 10;
  const season = Math.min(...layout.seasonsMs);
  const scenarios: TestScenario[] = [];

  scenarios.push(
    warmupScenario({
      filling: "the short-term window",
      series: source.inputSeries(group),
      baseline: BASELINE,
      anomaly: BASELINE + sign * jump,
      forMs: monitor.forMs,
      evaluationIntervalMs: ei,
      scrapeIntervalMs: si,
    }),
  );

  // The median's MAD starts only once the median exists: two windows and lags of history.
  const ready = 2 * (layout.windowMs + layout.lagMs) + 2 * layout.bucketMs;
  // Step: long enough to hold the short-term window, then a flat stretch that clears it.
  const stepLength = layout.windowMs + layout.seasonalWindowMs + 2 * layout.lagMs;
  const clear = layout.windowMs + layout.seasonalWindowMs + 3 * layout.lagMs + 2 * layout.bucketMs;
  const step = BASELINE + sign * STEP;
  const values = new SeriesValues(si).holdUntil(BASELINE, ready);
  const firstStep = values.atMs;
  values.holdUntil(step, firstStep + stepLength).holdUntil(BASELINE, firstStep + season);
  const secondStep = values.atMs;
  values
    .holdUntil(step, secondStep + stepLength)
    .holdUntil(BASELINE, secondStep + stepLength + clear);
  const jumpStart = values.atMs;
  values.holdUntil(BASELINE + sign * jump, anomalyEndFor(jumpStart, monitor.forMs, ei));
  const jumpEnd = values.atMs;
  values.holdUntil(BASELINE, jumpEnd + (monitor.keepFiringForMs ?? 0) + 5 * ei);

  const firstActive = firstEvaluationAtOrAfter(firstStep, ei);
  const secondActive = firstEvaluationAtOrAfter(secondStep, ei);
  const checks: AlertCheck[] = [
    { atMs: firstActive - ei, alerts: [] },
    { atMs: firingAt(firstActive, monitor.forMs, ei), alerts: [{ labels, value: STEP }] },
    { atMs: secondActive - ei, alerts: [] },
    { atMs: firingAt(secondActive, monitor.forMs, ei) + ei, alerts: [] },
    { atMs: secondActive + Math.floor(stepLength / 2 / ei) * ei, alerts: [] },
    {
      atMs: firstEvaluationAtOrAfter(secondStep + stepLength, ei) + monitor.forMs + ei,
      alerts: [],
    },
    ...anomalyChecks(
      {
        startMs: jumpStart,
        endMs: jumpEnd,
        forMs: monitor.forMs,
        keepFiringForMs: monitor.keepFiringForMs,
        evaluationIntervalMs: ei,
      },
      [{ labels, value: jump }],
    ),
  ];
  scenarios.push({
    title: `fires on a ${numberLiteral(STEP)} step the first time, stays quiet when it recurs ${params.seasons.length === 1 ? params.seasons[0] : "a season"} later, fires on a ${numberLiteral(jump)} jump at another time`,
    intervalMs: si,
    inputs: [{ series: source.inputSeries(group), values: values.toString() }],
    checks: dedupe(checks),
  });
  if (params.min_margin > 0) {
    scenarios.push(
      flatAtZeroScenario({
        series: source.inputSeries(group),
        readyMs: ready,
        absoluteBand: params.min_margin,
        sign,
        forMs: monitor.forMs,
        evaluationIntervalMs: ei,
        scrapeIntervalMs: si,
      }),
    );
  }
  return scenarios;
}

/** Checks in time order, one per evaluation time (the first one wins). */
function dedupe(checks: readonly AlertCheck[]): AlertCheck[] {
  const seen = new Set<number>();
  return [...checks]
    .sort((a, b) => a.atMs - b.atMs)
    .filter((c) => (seen.has(c.atMs) ? false : (seen.add(c.atMs), true)));
}
