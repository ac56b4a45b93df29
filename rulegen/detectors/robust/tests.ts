import type { Settings } from "../../../spec/model/monitor.js";
import { numberLiteral } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { anomalyChecks, anomalyEndFor } from "../../testgen/anomaly-checks.js";
import { SeriesValues } from "../../testgen/series-values.js";
import type { TestScenario } from "../../testgen/scenario.js";
import { flatAtZeroScenario } from "../../testgen/flat-at-zero-scenario.js";
import { warmupScenario } from "../../testgen/warmup-scenario.js";
import { robustBand, robustLayout } from "./layout.js";
import type { RobustMonitor } from "./layout.js";

const BASELINE = 100;

/**
 * A flat baseline has median 100 and MAD 0 on Prometheus 2 and 3 alike, so the band is
 * its floor and the alert's value (the deviation) is exact.
 */
export function planRobustTests(monitor: RobustMonitor, settings: Settings): TestScenario[] {
  const source = planSignalSource(monitor, "range");
  const layout = robustLayout(monitor, settings, source.recorded);
  const params = monitor.detector;
  const ei = settings.evaluationIntervalMs;
  const si = settings.scrapeIntervalMs;
  const [group = {}] = source.groups(1);
  const labels = source.outputLabels(group);
  const sign = params.direction === "down" ? -1 : 1;
  const floor = robustBand(0, BASELINE, params);
  const step = floor > 0 ? 3 * floor : 10;
  const anomaly = BASELINE + sign * step;
  const scenarios: TestScenario[] = [];

  scenarios.push(
    warmupScenario({
      filling: "the median and MAD windows",
      series: source.inputSeries(group),
      baseline: BASELINE,
      anomaly: anomaly,
      forMs: monitor.forMs,
      evaluationIntervalMs: ei,
      scrapeIntervalMs: si,
    }),
  );

  // The MAD starts only once the median exists: two windows and lags of history.
  const readyMs = 2 * (layout.windowMs + layout.lagMs) + 2 * layout.bucketMs;
  const values = new SeriesValues(si).holdUntil(BASELINE, readyMs);
  const startMs = values.atMs;
  values.holdUntil(anomaly, anomalyEndFor(startMs, monitor.forMs, ei));
  const anomalyEnd = values.atMs;
  values.holdUntil(BASELINE, anomalyEnd + (monitor.keepFiringForMs ?? 0) + 5 * ei);
  scenarios.push({
    title: `fires when the signal moves ${numberLiteral(step)} ${sign > 0 ? "above" : "below"} its ${params.window} median (band ${numberLiteral(floor)})`,
    intervalMs: si,
    inputs: [{ series: source.inputSeries(group), values: values.toString() }],
    checks: anomalyChecks(
      {
        startMs,
        endMs: anomalyEnd,
        forMs: monitor.forMs,
        keepFiringForMs: monitor.keepFiringForMs,
        evaluationIntervalMs: ei,
      },
      [{ labels, value: step }],
    ),
  });

  // Thirds at 100 - a, 100, 100 + a: median 100, MAD a, so the band is threshold·a wide
  // and every reading (at most a away) stays inside it.
  if (params.threshold >= 1.5) {
    const amplitude = Math.max(10, floor);
    const noisyEnd = readyMs + 30 * ei;
    scenarios.push({
      title: "stays quiet on normal noise around a steady median",
      intervalMs: si,
      inputs: [
        {
          series: source.inputSeries(group),
          values: new SeriesValues(si)
            .cycleUntil([BASELINE - amplitude, BASELINE, BASELINE + amplitude], noisyEnd)
            .toString(),
        },
      ],
      checks: [
        { atMs: noisyEnd - 20 * ei, alerts: [] },
        { atMs: noisyEnd - ei, alerts: [] },
      ],
    });
  }
  if (params.min_margin > 0) {
    scenarios.push(
      flatAtZeroScenario({
        series: source.inputSeries(group),
        readyMs,
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
