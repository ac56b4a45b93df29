import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor, Settings } from "../../../spec/model/monitor.js";
import { MONITOR_LABEL, recordName } from "../../../spec/model/naming.js";
import { duration, numberLiteral } from "../../../core/promql/promql-text.js";
import { monitorLabels, ownSeries } from "../../plan/recorded-series.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { anomalyChecks, anomalyEndFor } from "../../testgen/anomaly-checks.js";
import { SeriesValues } from "../../testgen/series-values.js";
import type { TestScenario } from "../../testgen/scenario.js";
import { firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import { groupText, signalText, titleOf } from "../annotation-text.js";
import type { DetectorDefinition } from "../detector.js";
import type { SpikeParams } from "../../../spec/schema/detectors/spike.js";

type SpikeMonitor = Monitor<SpikeParams>;

const BASELINE = 100;

/** The median ends `for` plus one evaluation before now: a pending spike is not in it. */
function lagMs(monitor: SpikeMonitor, settings: Settings): number {
  const ei = settings.evaluationIntervalMs;
  return Math.ceil(monitor.forMs / ei) * ei + ei;
}

export const spikeDetector: DetectorDefinition<SpikeParams> = {
  type: "spike",
  signalShape: "range",
  defaultForMs: () => 0,
  check: () => [],

  planRules(monitor, settings) {
    const source = planSignalSource(monitor, "range");
    const params = monitor.detector;
    const windowMs = durationMs(params.window);
    const sampleMs = source.recorded ? settings.evaluationIntervalMs : settings.scrapeIntervalMs;
    const minSamples = Math.max(1, Math.ceil((params.min_coverage * windowMs) / sampleMs));
    const range = `${source.ref}[${duration(windowMs)}] offset ${duration(lagMs(monitor, settings))}`;
    const median = recordName(monitor, `median${duration(windowMs)}`);
    const ratio = `${source.ref} / ignoring(${MONITOR_LABEL}) ${ownSeries(monitor, median)}`;
    const limit =
      params.direction === "up"
        ? `> ${numberLiteral(params.factor)}`
        : `< ${numberLiteral(1 / params.factor)}`;
    return {
      alertExpr: `${ratio} ${limit} and ignoring(${MONITOR_LABEL}) ${ownSeries(monitor, median)} > ${numberLiteral(params.min_baseline)}`,
      recordings: [
        ...(source.recording ? [source.recording] : []),
        {
          kind: "record",
          record: median,
          expr: `quantile_over_time(0.5, ${range}) and count_over_time(${range}) >= ${minSamples}`,
          labels: monitorLabels(monitor),
        },
      ],
    };
  },

  planTests(monitor, settings): TestScenario[] {
    const source = planSignalSource(monitor, "range");
    const params = monitor.detector;
    const ei = settings.evaluationIntervalMs;
    const si = settings.scrapeIntervalMs;
    const windowMs = durationMs(params.window);
    const [group = {}] = source.groups(1);
    const base = Math.max(BASELINE, 10 * params.min_baseline);
    const multiple = params.direction === "up" ? params.factor + 1 : 1 / (params.factor + 1);
    const anomaly = base * multiple;
    const ready = windowMs + lagMs(monitor, settings) + 5 * ei;
    const values = new SeriesValues(si).holdUntil(base, ready);
    const startMs = values.atMs;
    values.holdUntil(anomaly, anomalyEndFor(startMs, monitor.forMs, ei));
    const endMs = values.atMs;
    values.holdUntil(base, endMs + (monitor.keepFiringForMs ?? 0) + 5 * ei);
    const noiseEnd = ready + 20 * ei;
    return [
      {
        title: "stays quiet while the window fills (warm-up)",
        intervalMs: si,
        inputs: [
          {
            series: source.inputSeries(group),
            values: new SeriesValues(si)
              .holdUntil(base, 5 * ei)
              .holdUntil(anomaly, 10 * ei + monitor.forMs)
              .toString(),
          },
        ],
        checks: [{ atMs: firstEvaluationAtOrAfter(5 * ei, ei) + monitor.forMs + ei, alerts: [] }],
      },
      {
        title: `fires when the signal ${params.direction === "up" ? "jumps to" : "drops to"} ${numberLiteral(multiple)}x its trailing median`,
        intervalMs: si,
        inputs: [{ series: source.inputSeries(group), values: values.toString() }],
        checks: anomalyChecks(
          {
            startMs,
            endMs,
            forMs: monitor.forMs,
            keepFiringForMs: monitor.keepFiringForMs,
            evaluationIntervalMs: ei,
          },
          [{ labels: source.outputLabels(group), value: multiple }],
        ),
      },
      {
        title: "stays quiet on noise of ±10% around the median",
        intervalMs: si,
        inputs: [
          {
            series: source.inputSeries(group),
            values: new SeriesValues(si)
              .cycleUntil([base * 0.9, base, base * 1.1], noiseEnd)
              .toString(),
          },
        ],
        checks: [
          { atMs: noiseEnd - 10 * ei, alerts: [] },
          { atMs: noiseEnd - ei, alerts: [] },
        ],
      },
    ];
  },

  defaultAnnotations(monitor) {
    const params = monitor.detector;
    return {
      summary: `${titleOf(monitor)}: {{ printf "%.4g" $value }}x the ${params.window} median${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} is {{ printf "%.4g" $value }} times its median over the previous ${params.window} (${params.direction === "up" ? `spike threshold ${params.factor}x` : `drop threshold 1/${params.factor}`}). Layer: ${monitor.layer}.`,
    };
  },

  view(monitor, _settings, select) {
    const median = select.own(
      recordName(monitor, `median${duration(durationMs(monitor.detector.window))}`),
    );
    const factor = numberLiteral(monitor.detector.factor);
    return {
      lines: [
        { expr: median, legend: "trailing median" },
        monitor.detector.direction === "up"
          ? { expr: `${median} * ${factor}`, legend: `median × ${factor}` }
          : { expr: `${median} / ${factor}`, legend: `median ÷ ${factor}` },
      ],
    };
  },
};
