import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { numberLiteral } from "../../../core/promql/promql-text.js";
import { anomalyChecks, anomalyEndFor } from "../../testgen/anomaly-checks.js";
import { SeriesValues } from "../../testgen/series-values.js";
import { groupText, quantityText, signalText, titleOf, valueText } from "../annotation-text.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import type { ThresholdParams } from "../../../spec/schema/detectors/threshold.js";

type ThresholdMonitor = Monitor<ThresholdParams>;

function limitOf(monitor: ThresholdMonitor): { op: ">" | "<"; value: number } {
  const { above, below } = monitor.detector;
  return above !== undefined ? { op: ">", value: above } : { op: "<", value: below ?? 0 };
}

export const thresholdDetector: DetectorDefinition<ThresholdParams> = {
  type: "threshold",
  signalShape: "inline",
  defaultForMs: () => 5 * 60_000,

  check(monitor): DetectorProblem[] {
    const { above, below } = monitor.detector;
    if ((above === undefined) === (below === undefined)) {
      return [
        {
          code: "invalid-value",
          message: "set exactly one of `above` or `below`",
          path: ["detector"],
        },
      ];
    }
    return [];
  },

  planRules(monitor) {
    const source = planSignalSource(monitor, "inline");
    const { op, value } = limitOf(monitor);
    return {
      alertExpr: `${source.ref} ${op} ${numberLiteral(value)}`,
      recordings: source.recording ? [source.recording] : [],
    };
  },

  planTests(monitor, settings: Settings) {
    const source = planSignalSource(monitor, "inline");
    const { op, value } = limitOf(monitor);
    const margin = value === 0 ? 1 : Math.abs(value) / 2;
    const normal = op === ">" ? value - margin : value + margin;
    const anomaly = op === ">" ? value + margin : value - margin;
    const ei = settings.evaluationIntervalMs;
    const [group = {}] = source.groups(1);
    const values = new SeriesValues(settings.scrapeIntervalMs).holdUntil(normal, 10 * ei);
    const startMs = values.atMs;
    const endMs = anomalyEndFor(startMs, monitor.forMs, ei);
    values.holdUntil(anomaly, endMs);
    const afterMs = endMs + (monitor.keepFiringForMs ?? 0) + 5 * ei;
    const end = values.atMs;
    values.holdUntil(normal, afterMs);
    return [
      {
        title: `fires while the signal is ${op === ">" ? "above" : "below"} ${numberLiteral(value)}`,
        intervalMs: settings.scrapeIntervalMs,
        inputs: [{ series: source.inputSeries(group), values: values.toString() }],
        checks: anomalyChecks(
          {
            startMs,
            endMs: end,
            forMs: monitor.forMs,
            keepFiringForMs: monitor.keepFiringForMs,
            evaluationIntervalMs: ei,
          },
          [{ labels: source.outputLabels(group), value: anomaly }],
        ),
      },
    ];
  },

  defaultAnnotations(monitor) {
    const { op, value } = limitOf(monitor);
    const word = op === ">" ? "above" : "below";
    return {
      summary: `${titleOf(monitor)}: ${valueText(monitor)} is ${word} ${quantityText(monitor, value, numberLiteral(value))}${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} is ${valueText(monitor)}, ${word} the threshold ${quantityText(monitor, value, numberLiteral(value))}. Layer: ${monitor.layer}.`,
    };
  },

  view: (monitor) => ({ lines: [], threshold: limitOf(monitor).value }),
};
