import type { Settings } from "../../../spec/model/monitor.js";
import { numberLiteral } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { anomalyChecks, anomalyEndFor } from "../../testgen/anomaly-checks.js";
import { SeriesValues } from "../../testgen/series-values.js";
import type { TestScenario } from "../../testgen/scenario.js";
import { flatAtZeroScenario } from "../../testgen/flat-at-zero-scenario.js";
import { warmupScenario } from "../../testgen/warmup-scenario.js";
import { flooredStddev, zscoreLayout, zscoreValue } from "./layout.js";
import type { ZscoreMonitor } from "./layout.js";

const BASELINE = 100;

/**
 * A flat baseline makes every statistic exact on Prometheus 2 and 3 alike (their range
 * boundaries differ), so the alert's value, and the annotation that shows it, is known.
 */
export function planZscoreTests(monitor: ZscoreMonitor, settings: Settings): TestScenario[] {
  const source = planSignalSource(monitor, "range");
  const layout = zscoreLayout(monitor, settings);
  const params = monitor.detector;
  const ei = settings.evaluationIntervalMs;
  const si = settings.scrapeIntervalMs;
  const [group = {}] = source.groups(1);
  const labels = source.outputLabels(group);
  const sign = params.direction === "down" ? -1 : 1;
  const floor = flooredStddev(0, BASELINE, params);
  const step = floor > 0 ? (params.threshold + 2) * floor : 1;
  const anomaly = BASELINE + sign * step;
  const scenarios: TestScenario[] = [];

  scenarios.push(
    warmupScenario({
      filling: "the baseline window",
      series: source.inputSeries(group),
      baseline: BASELINE,
      anomaly: anomaly,
      forMs: monitor.forMs,
      evaluationIntervalMs: ei,
      scrapeIntervalMs: si,
    }),
  );

  const values = new SeriesValues(si).holdUntil(
    BASELINE,
    layout.windowMs + layout.lagMs + 2 * layout.bucketMs,
  );
  const startMs = values.atMs;
  const endMs = anomalyEndFor(startMs, monitor.forMs, ei);
  values.holdUntil(anomaly, endMs);
  const anomalyEnd = values.atMs;
  values.holdUntil(BASELINE, anomalyEnd + (monitor.keepFiringForMs ?? 0) + 5 * ei);
  scenarios.push({
    title: `fires when the signal moves ${numberLiteral(params.threshold + 2)} standard deviations ${sign > 0 ? "above" : "below"} its ${params.window} baseline`,
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
      [{ labels, value: zscoreValue(anomaly, BASELINE, params) }],
    ),
  });

  // Alternating noise has a standard deviation equal to its amplitude: |z| stays near 1.
  if (params.threshold >= 1.5) {
    const amplitude = Math.max(10, 4 * floor);
    const noisyEnd = layout.windowMs + layout.lagMs + 2 * layout.bucketMs + 30 * ei;
    scenarios.push({
      title: "stays quiet on normal noise around a steady baseline",
      intervalMs: si,
      inputs: [
        {
          series: source.inputSeries(group),
          values: new SeriesValues(si)
            .cycleUntil([BASELINE + amplitude, BASELINE - amplitude], noisyEnd)
            .toString(),
        },
      ],
      checks: [
        { atMs: noisyEnd - 20 * ei, alerts: [] },
        { atMs: noisyEnd - ei, alerts: [] },
      ],
    });
  }
  if (params.min_stddev > 0) {
    scenarios.push(
      flatAtZeroScenario({
        series: source.inputSeries(group),
        readyMs: layout.windowMs + layout.lagMs + 2 * layout.bucketMs,
        absoluteBand: params.threshold * params.min_stddev,
        sign,
        forMs: monitor.forMs,
        evaluationIntervalMs: ei,
        scrapeIntervalMs: si,
      }),
    );
  }
  return scenarios;
}
