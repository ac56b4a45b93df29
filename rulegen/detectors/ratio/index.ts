import { durationMs } from "../../../core/config/zod-fields.js";
import type { Monitor } from "../../../spec/model/monitor.js";
import { levelOf, recordName } from "../../../spec/model/naming.js";
import { aggregateBy, duration, numberLiteral } from "../../../core/promql/promql-text.js";
import { monitorLabels, ownSeries } from "../../plan/recorded-series.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { counterValues } from "../../testgen/counter-values.js";
import type { Labels, TestScenario } from "../../testgen/scenario.js";
import { firingAt, firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import { groupText, percentLiteral, signalText, titleOf } from "../annotation-text.js";
import { checkCounterSelector, requireBy, selectorOf, seriesFor } from "../counter-selectors.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import { requireSelector } from "../selector-checks.js";
import type { RatioParams } from "../../../spec/schema/detectors/ratio.js";

type RatioMonitor = Monitor<RatioParams>;

function limitOf(monitor: RatioMonitor): { op: ">" | "<"; value: number } {
  const { above, below } = monitor.detector;
  return below !== undefined ? { op: "<", value: below } : { op: ">", value: above ?? 0 };
}

function names(monitor: RatioMonitor): { numerator: string; total: string } {
  const w = duration(durationMs(monitor.detector.window));
  const totalMetric = selectorOf(monitor.detector.total)?.metricName ?? "total";
  return {
    numerator: recordName(monitor, `numerator_increase${w}`),
    total: `${levelOf(monitor)}:${totalMetric}:total_increase${w}`,
  };
}

export const ratioDetector: DetectorDefinition<RatioParams> = {
  type: "ratio",
  signalShape: undefined,
  defaultForMs: () => 10 * 60_000,

  check(monitor): DetectorProblem[] {
    const problems: DetectorProblem[] = [
      ...requireSelector(monitor, "the numerator counter"),
      ...checkCounterSelector(monitor.detector.total, ["detector", "total"]),
      ...requireBy(monitor.by, "e.g. [model]"),
    ];
    const { above, below } = monitor.detector;
    if ((above === undefined) === (below === undefined))
      problems.push({
        code: "invalid-value",
        message: "set exactly one of `above` or `below`",
        path: ["detector"],
      });
    return problems;
  },

  planRules(monitor) {
    const by = monitor.by ?? [];
    const window = duration(durationMs(monitor.detector.window));
    const n = names(monitor);
    const { op, value } = limitOf(monitor);
    const increase = (selector: string): string =>
      aggregateBy("sum", by, `increase(${selector}[${window}])`);
    return {
      alertExpr: `${ownSeries(monitor, n.numerator)} / ${ownSeries(monitor, n.total)} ${op} ${numberLiteral(value)} and ${ownSeries(monitor, n.total)} >= ${numberLiteral(monitor.detector.min_events)}`,
      recordings: [
        {
          kind: "record",
          record: n.numerator,
          expr: increase(monitor.signal.expr),
          labels: monitorLabels(monitor),
        },
        {
          kind: "record",
          record: n.total,
          expr: increase(monitor.detector.total),
          labels: monitorLabels(monitor),
        },
      ],
    };
  },

  planTests(monitor, settings): TestScenario[] {
    const params = monitor.detector;
    const ei = settings.evaluationIntervalMs;
    const si = settings.scrapeIntervalMs;
    const windowMs = durationMs(params.window);
    const source = planSignalSource(monitor, "raw");
    const [group = {}] = source.groups(1);
    const by = monitor.by ?? [];
    const groupLabels: Labels = Object.fromEntries(by.map((l) => [l, group[l] ?? ""]));
    const labels: Labels = { ...groupLabels, ...monitorLabels(monitor) };
    const { op, value } = limitOf(monitor);
    const good = op === "<" ? value + (1 - value) / 2 : value / 2;
    const bad = op === "<" ? value / 2 : value + (1 - value) / 2;
    const samplesPerWindow = windowMs / si;
    const perSample = Math.max(10, Math.ceil((2 * params.min_events) / samplesPerWindow));
    const start = windowMs + 10 * ei;
    const end = start + windowMs + monitor.forMs + 10 * ei;
    const last = end + windowMs + (monitor.keepFiringForMs ?? 0) + 10 * ei;
    const inputs = (events: number) => [
      {
        series: seriesFor(monitor.signal.expr, groupLabels),
        values: counterValues(si, [
          { untilMs: start, perSample: events * good },
          { untilMs: end, perSample: events * bad },
          { untilMs: last, perSample: events * good },
        ]),
      },
      {
        series: seriesFor(params.total, groupLabels),
        values: counterValues(si, [{ untilMs: last, perSample: events }]),
      },
    ];
    const firing = firingAt(firstEvaluationAtOrAfter(start + windowMs + si, ei), monitor.forMs, ei);
    const resolved =
      firstEvaluationAtOrAfter(end + windowMs + si, ei) +
      Math.ceil((monitor.keepFiringForMs ?? 0) / ei) * ei;
    return [
      {
        title: `fires when the ratio is ${numberLiteral(bad)} over ${params.window}, resolves when it is back to ${numberLiteral(good)}`,
        intervalMs: si,
        inputs: inputs(perSample),
        checks: [
          { atMs: start - ei, alerts: [] },
          { atMs: firing, alerts: [{ labels, value: bad }] },
          { atMs: resolved, alerts: [] },
        ],
      },
      {
        title: `stays quiet below ${numberLiteral(params.min_events)} events per ${params.window} (minimum-events gate)`,
        intervalMs: si,
        inputs: inputs(params.min_events / samplesPerWindow / 2),
        checks: [{ atMs: firing, alerts: [] }],
      },
    ];
  },

  defaultAnnotations(monitor) {
    const { op, value } = limitOf(monitor);
    return {
      summary: `${titleOf(monitor)}: {{ $value | humanizePercentage }} over ${monitor.detector.window}${groupText(monitor)}`,
      description: `The ratio of ${signalText(monitor)} to its total is {{ $value | humanizePercentage }} over the last ${monitor.detector.window}, ${op === "<" ? "below" : "above"} ${percentLiteral(value)} (at least ${numberLiteral(monitor.detector.min_events)} events). Layer: ${monitor.layer}.`,
    };
  },

  view(monitor, _settings, select) {
    const n = names(monitor);
    return {
      lines: [
        {
          expr: `${select.own(n.numerator)} / ${select.own(n.total)}`,
          legend: `ratio over ${monitor.detector.window}`,
        },
      ],
      threshold: limitOf(monitor).value,
      linesOnly: { unit: "ratio" },
    };
  },
};
