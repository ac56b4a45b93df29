import { numberLiteral } from "../../../core/promql/promql-text.js";
import type { Settings } from "../../../spec/model/monitor.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { anomalyChecks } from "../../testgen/anomaly-checks.js";
import type { AlertCheck, Labels, TestScenario } from "../../testgen/scenario.js";
import { SeriesValues } from "../../testgen/series-values.js";
import { firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import { warmupScenario } from "../../testgen/warmup-scenario.js";
import { anomalyLayout, flatMargin } from "./layout.js";
import type { AnomalyLayout, AnomalyMonitor } from "./layout.js";

const BASELINE = 100;
const NOISE = 10;
const CYCLE = 12 * 3_600_000;

interface Context {
  readonly monitor: AnomalyMonitor;
  readonly layout: AnomalyLayout;
  readonly series: string;
  readonly labels: Labels;
  readonly ei: number;
  readonly si: number;
  /** When the warm-up is over, plus a bucket of margin. */
  readonly readyMs: number;
  readonly keepMs: number;
}

/**
 * promtool evaluates the slower group at every evaluation, so bucket peaks are rolling
 * maxima there; on a repeating pattern they equal the pattern's extreme either way, p90
 * and p50 coincide, and every bound is exact: the extreme plus the floor's margin.
 */
export function planAnomalyTests(monitor: AnomalyMonitor, settings: Settings): TestScenario[] {
  const source = planSignalSource(monitor, "range");
  const layout = anomalyLayout(monitor, settings);
  const [group = {}] = source.groups(1);
  const ei = settings.evaluationIntervalMs;
  const context: Context = {
    monitor,
    layout,
    series: source.inputSeries(group),
    labels: source.outputLabels(group),
    ei,
    si: settings.scrapeIntervalMs,
    readyMs: firstEvaluationAtOrAfter(layout.warmupMs + layout.bucketMs, ei),
    keepMs: monitor.keepFiringForMs ?? 0,
  };
  const params = monitor.detector;
  const signs = params.direction === "both" ? [1, -1] : params.direction === "up" ? [1] : [-1];
  const first = signs[0] ?? 1;
  // Warm-up, each way the monitor looks: no bound before the window reaches back far enough.
  const warmupHours = numberLiteral(layout.warmupMs / 3_600_000);
  const scenarios: TestScenario[] = signs.map((sign) => ({
    ...warmupScenario({
      filling: `the first ${warmupHours}h of the window`,
      series: context.series,
      baseline: BASELINE,
      anomaly: BASELINE + sign * 10 * (NOISE + flatMargin(BASELINE, params, 2 * NOISE)),
      forMs: monitor.forMs,
      evaluationIntervalMs: ei,
      scrapeIntervalMs: context.si,
    }),
    title: `stays quiet on a ${sign > 0 ? "rise" : "fall"} while the first ${warmupHours}h of the window fill (warm-up)`,
  }));
  scenarios.push(spikesScenario(context, signs), shiftScenario(context, first));
  // A cycle the window holds whole: half a day high, half a day low.
  if (layout.windowMs >= 2 * CYCLE) scenarios.push(cycleScenario(context, first));
  if (params.min_relative_margin > 0) scenarios.push(flatScenario(context, first));
  return scenarios;
}

/**
 * One sample far past a bound pages, and the alert holds for keep_firing_for; with both
 * directions a dip follows once the first alert has resolved.
 */
function spikesScenario(c: Context, signs: readonly number[]): TestScenario {
  const values = new SeriesValues(c.si).cycleUntil(noise(), c.readyMs);
  const checks: AlertCheck[] = [];
  const titles: string[] = [];
  // First a sample just inside the bound (90% of the margin): usual, no page.
  const first = signs[0] ?? 1;
  const near =
    BASELINE + first * (NOISE + 0.9 * flatMargin(BASELINE, c.monitor.detector, 2 * NOISE));
  const nearAt = values.atMs;
  values.hold(near, 1);
  values.cycleUntil(noise(), firstEvaluationAtOrAfter(values.atMs + 10 * c.ei, c.ei));
  checks.push({ atMs: firstEvaluationAtOrAfter(nearAt, c.ei), alerts: [] });
  for (const sign of signs) {
    const extreme = BASELINE + sign * NOISE;
    const margin = flatMargin(extreme, c.monitor.detector, 2 * NOISE);
    const spike = extreme + sign * 2 * margin;
    const at = values.atMs;
    values.hold(spike, 1);
    const end = values.atMs;
    // The next spike lands on an evaluation, once this alert has resolved.
    values.cycleUntil(noise(), firstEvaluationAtOrAfter(end + c.keepMs + 10 * c.ei, c.ei));
    checks.push(
      ...anomalyChecks(
        {
          startMs: at,
          endMs: end,
          forMs: c.monitor.forMs,
          keepFiringForMs: c.monitor.keepFiringForMs,
          evaluationIntervalMs: c.ei,
        },
        [{ labels: c.labels, value: spike }],
      ),
    );
    titles.push(
      `${numberLiteral(2 * margin)} ${sign > 0 ? "above its usual peaks" : "below its usual troughs"} (bound ${numberLiteral(extreme + sign * margin)})`,
    );
  }
  return {
    title: `stays quiet on one sample at ${numberLiteral(near)} (inside the bound), fires on one sample ${titles.join(", then on one ")}`,
    intervalMs: c.si,
    inputs: [{ series: c.series, values: values.toString() }],
    checks,
  };
}

/** A lasting level change pages once; once a bucket has seen it, the new level is usual. */
function shiftScenario(c: Context, sign: number): TestScenario {
  const margin = flatMargin(BASELINE + sign * NOISE, c.monitor.detector, 2 * NOISE);
  const shift = sign * (2 * NOISE + 2 * margin);
  const values = new SeriesValues(c.si).cycleUntil(noise(), c.readyMs);
  const at = values.atMs;
  const quietFrom = firstEvaluationAtOrAfter(at + c.layout.bucketMs + c.keepMs, c.ei) + 2 * c.ei;
  // The most extreme sample of the new level first: the alert's value is known.
  const shifted = noise()
    .map((v) => v + shift)
    .sort((a, b) => sign * (b - a));
  values.cycleUntil(shifted, quietFrom + 3 * c.layout.bucketMs);
  const active = firstEvaluationAtOrAfter(at, c.ei);
  return {
    title: `pages once on a lasting shift of ${numberLiteral(shift)} and is quiet ${numberLiteral((quietFrom - at) / 60_000)}m later while the new level holds`,
    intervalMs: c.si,
    inputs: [{ series: c.series, values: values.toString() }],
    checks: [
      { atMs: active - c.ei, alerts: [] },
      { atMs: active, alerts: [{ labels: c.labels, value: shifted[0] ?? 0 }] },
      { atMs: quietFrom, alerts: [] },
      { atMs: quietFrom + 2 * c.layout.bucketMs, alerts: [] },
    ],
  };
}

/**
 * High for half a cycle, low for the other half, with noise: once the window holds a whole
 * cycle, the cycle stays inside the range it keeps. The mechanism is the same for a daily
 * cycle; a 12h one keeps the test short.
 */
function cycleScenario(c: Context, sign: number): TestScenario {
  const high = noise().map((v) => v + sign * 4 * NOISE);
  const seen = Math.max(c.readyMs, CYCLE);
  const end = seen + CYCLE / 2 + 31 * 60_000;
  const values = new SeriesValues(c.si);
  while (values.atMs < end) {
    const cycleStart = values.atMs - (values.atMs % CYCLE);
    values.cycleUntil(noise(), Math.min(end, cycleStart + CYCLE / 2));
    values.cycleUntil(high, Math.min(end, cycleStart + CYCLE));
  }
  const checks: AlertCheck[] = [];
  for (let edge = CYCLE / 2; edge < end; edge += CYCLE / 2)
    if (edge >= seen)
      for (const after of [2 * c.ei, 30 * 60_000])
        checks.push({ atMs: firstEvaluationAtOrAfter(edge + after, c.ei), alerts: [] });
  return {
    title: `stays quiet on a noisy square wave (${numberLiteral(CYCLE / 3_600_000)}h period) once the window holds a whole period`,
    intervalMs: c.si,
    inputs: [{ series: c.series, values: values.toString() }],
    checks,
  };
}

/** A flat series that moves by less than the relative floor allows. */
function flatScenario(c: Context, sign: number): TestScenario {
  const margin = flatMargin(BASELINE, c.monitor.detector);
  const move = (sign * margin) / 2;
  const values = new SeriesValues(c.si).holdUntil(BASELINE, c.readyMs);
  const at = values.atMs;
  values.holdUntil(BASELINE + move, at + 10 * c.ei);
  const active = firstEvaluationAtOrAfter(at, c.ei);
  return {
    title: `stays quiet when a flat series moves by ${numberLiteral(move)} (half its margin of ${numberLiteral(margin)})`,
    intervalMs: c.si,
    inputs: [{ series: c.series, values: values.toString() }],
    checks: [
      { atMs: active + c.ei, alerts: [] },
      { atMs: active + 5 * c.ei, alerts: [] },
    ],
  };
}

function noise(): number[] {
  return [BASELINE - NOISE, BASELINE, BASELINE + NOISE];
}
