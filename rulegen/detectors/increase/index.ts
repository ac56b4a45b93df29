import { durationMs } from "../../../core/config/zod-fields.js";
import { duration } from "../../../core/promql/promql-text.js";
import type { Monitor } from "../../../spec/model/monitor.js";
import { aggregateBy, numberLiteral, range } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { prometheusIncrease } from "../../testgen/prometheus-increase.js";
import type { Sample } from "../../testgen/prometheus-increase.js";
import { SeriesValues } from "../../testgen/series-values.js";
import { firingAt, firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import type { Labels, TestScenario } from "../../testgen/scenario.js";
import { groupText, signalText, titleOf, valueText } from "../annotation-text.js";
import type { DetectorDefinition } from "../detector.js";
import { requireSelector } from "../selector-checks.js";
import type { IncreaseParams } from "../../../spec/schema/detectors/increase.js";

type IncreaseMonitor = Monitor<IncreaseParams>;

/**
 * `changes` mode is for gauges that hold the last event code (dcgm-exporter's XID gauge):
 * a change to a non-zero code is an event; a change back to 0 (driver reload) is not.
 */
function alertExpr(monitor: IncreaseMonitor): string {
  const ref = monitor.signal.expr;
  const window = durationMs(monitor.detector.window);
  const threshold = numberLiteral(monitor.detector.threshold);
  if (monitor.detector.mode === "counter") {
    const increase = `increase(${range(ref, window)})`;
    return monitor.by
      ? `${aggregateBy("sum", monitor.by, increase)} > ${threshold}`
      : `${increase} > ${threshold}`;
  }
  const changes = `changes(${range(ref, window)})`;
  return monitor.by
    ? `${aggregateBy("sum", monitor.by, `${changes} and ${ref} != 0`)} > ${threshold}`
    : `(${changes} > ${threshold}) and ${ref} != 0`;
}

export const increaseDetector: DetectorDefinition<IncreaseParams> = {
  type: "increase",
  signalShape: "raw",
  defaultForMs: () => 0,
  check: (monitor) =>
    requireSelector(
      monitor,
      monitor.detector.mode === "counter" ? "a counter" : "an event-code gauge",
    ),

  planRules(monitor) {
    return { alertExpr: alertExpr(monitor), recordings: [] };
  },

  planTests(monitor, settings) {
    const source = planSignalSource(monitor, "raw");
    const ei = settings.evaluationIntervalMs;
    const si = settings.scrapeIntervalMs;
    const window = durationMs(monitor.detector.window);
    const [group = {}] = source.groups(1);
    const labels: Labels = monitor.by
      ? Object.fromEntries(monitor.by.map((l) => [l, source.outputLabels(group)[l] ?? ""]))
      : source.outputLabels(group);
    const eventMs = window + 10 * ei;
    const active = firstEvaluationAtOrAfter(eventMs, ei);
    const firing = firingAt(active, monitor.forMs, ei);
    const endMs = firing + window + 5 * ei;
    const counter = monitor.detector.mode === "counter";
    const jump = monitor.detector.threshold + 1;
    const before = counter ? 5 : 0;
    const after = counter ? before + jump : 79;
    const values = new SeriesValues(si).holdUntil(before, eventMs);
    const eventSampleMs = values.atMs;
    values.holdUntil(after, endMs);
    const samples: Sample[] = [];
    for (let t = 0; t < endMs; t += si) samples.push({ t, v: t < eventSampleMs ? before : after });
    const value = counter ? (prometheusIncrease(samples, firing - window, firing) ?? jump) : 1;
    const scenarios: TestScenario[] = [
      {
        title: counter
          ? `fires when the counter grows by more than ${numberLiteral(monitor.detector.threshold)}`
          : "fires when the event code changes to a non-zero value",
        intervalMs: si,
        inputs: [{ series: source.inputSeries(group), values: values.toString() }],
        checks: [
          { atMs: active - ei, alerts: [] },
          { atMs: firing, alerts: [{ labels, value }] },
          { atMs: firstEvaluationAtOrAfter(eventSampleMs + window, ei) + ei, alerts: [] },
        ],
      },
      {
        title: counter ? "ignores a counter reset" : "ignores a change back to 0",
        intervalMs: si,
        inputs: [
          {
            series: source.inputSeries(group),
            values: new SeriesValues(si)
              .holdUntil(counter ? 5 : 79, eventMs)
              .holdUntil(0, endMs)
              .toString(),
          },
        ],
        checks: [{ atMs: firing, alerts: [] }],
      },
    ];
    return scenarios;
  },

  defaultAnnotations(monitor) {
    const counter = monitor.detector.mode === "counter";
    // A count of events is whole; an increase of seconds or bytes is in its unit.
    const increase = monitor.unit ? valueText(monitor) : `{{ printf "%.0f" $value }}`;
    return {
      summary: `${titleOf(monitor)}: ${counter ? `+${increase}` : "event code changed"} in the last ${monitor.detector.window}${groupText(monitor)}`,
      description: counter
        ? `The counter ${signalText(monitor)} increased by ${increase} in the last ${monitor.detector.window}. Layer: ${monitor.layer}.`
        : `The event-code gauge ${signalText(monitor)} now holds a non-zero code. Changes in the last ${monitor.detector.window}: {{ printf "%.0f" $value }}. Layer: ${monitor.layer}.`,
    };
  },

  view(monitor, _settings, select) {
    const window = duration(durationMs(monitor.detector.window));
    const fn = monitor.detector.mode === "counter" ? "increase" : "changes";
    const inner = `${fn}(${select.source()}[${window}])`;
    return {
      lines: [
        {
          expr: monitor.by ? aggregateBy("sum", monitor.by, inner) : inner,
          legend: `${fn} over ${window}`,
        },
      ],
      threshold: monitor.detector.threshold,
      // An event-code gauge's code is worth seeing beside its changes; a counter's total is not.
      ...(monitor.detector.mode === "counter" ? { linesOnly: { unit: "signal" as const } } : {}),
    };
  },
};
