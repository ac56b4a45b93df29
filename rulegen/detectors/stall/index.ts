import type { Monitor } from "../../../spec/model/monitor.js";
import { parsePromql } from "../../../core/promql/parse-promql.js";
import { durationMs } from "../../../core/config/zod-fields.js";
import { aggregateBy, duration, range } from "../../../core/promql/promql-text.js";
import { formatSeries } from "../../plan/signal-source.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { SeriesValues } from "../../testgen/series-values.js";
import { labelsSatisfying } from "../../testgen/synthetic-labels.js";
import { firingAt, firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import type { Labels, SeriesInput, TestScenario } from "../../testgen/scenario.js";
import { groupText, signalText, titleOf } from "../annotation-text.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import { requireSelector } from "../selector-checks.js";
import type { StallParams } from "../../../spec/schema/detectors/stall.js";

type StallMonitor = Monitor<StallParams>;

/**
 * `changes(x[W]) == 0` alone pages for every job that ended: its last samples stay in
 * the range for W after it disappears. So the series must still be reported now, must
 * have existed a full window ago (no page while the window fills), and, when a `running`
 * series is given, the job must still be running.
 */
function alertExpr(monitor: StallMonitor): string {
  const ref = monitor.signal.expr;
  const window = durationMs(monitor.detector.window);
  const by = monitor.by;
  const running = monitor.detector.running;
  if (!by) {
    return `changes(${range(ref, window)}) == 0 and ${ref} and (${ref} offset ${duration(window)})`;
  }
  const on = `on(${by.join(", ")})`;
  const parts = [
    `${aggregateBy("max", by, `changes(${range(ref, window)})`)} == 0`,
    `${on} ${aggregateBy("group", by, ref)}`,
    `${on} ${aggregateBy("group", by, `${ref} offset ${duration(window)}`)}`,
  ];
  if (running) parts.push(`${on} ${aggregateBy("group", by, `${running} > 0`)}`);
  return parts.join(" and ");
}

export const stallDetector: DetectorDefinition<StallParams> = {
  type: "stall",
  signalShape: "raw",
  defaultForMs: () => 0,

  check(monitor): DetectorProblem[] {
    const problems = requireSelector(monitor, "a step or counter");
    const running = monitor.detector.running;
    if (running !== undefined) {
      const parsed = parsePromql(running);
      if (parsed.problems[0]) {
        problems.push({
          code: "invalid-promql",
          message: `detector.running: ${parsed.problems[0].message}`,
          path: ["detector", "running"],
        });
      } else if (!parsed.selector) {
        problems.push({
          code: "signal-not-selector",
          message: "detector.running must be a plain selector (a series > 0 while the job runs)",
          path: ["detector", "running"],
        });
      }
      if (!monitor.by || monitor.by.length === 0) {
        problems.push({
          code: "missing-key",
          message:
            "detector.running is joined on the monitor's `by` labels: set `by` (e.g. [run_id])",
          path: ["detector", "running"],
        });
      }
    }
    return problems;
  },

  planRules(monitor) {
    return { alertExpr: alertExpr(monitor), recordings: [] };
  },

  planTests(monitor, settings) {
    const source = planSignalSource(monitor, "raw");
    const ei = settings.evaluationIntervalMs;
    const si = settings.scrapeIntervalMs;
    const window = durationMs(monitor.detector.window);
    const [group = {}] = source.groups(1);
    const stopMs = window + 10 * ei;
    const endMs = stopMs + window + monitor.forMs + 10 * ei;
    const progressing = (): SeriesValues => new SeriesValues(si).rampUntil(0, 1, stopMs);
    const lastStep = Math.ceil(stopMs / si) - 1;
    const runningInput = (value: number): SeriesInput[] => {
      const running = monitor.detector.running;
      if (!running) return [];
      const selector = parsePromql(running).selector;
      const fixed = selector ? labelsSatisfying(selector.matchers) : undefined;
      const labels: Labels = {
        ...(fixed?.ok ? fixed.labels : {}),
        ...pick(group, monitor.by ?? []),
      };
      return [
        {
          series: formatSeries(selector?.metricName ?? "", labels),
          values: new SeriesValues(si).holdUntil(value, endMs).toString(),
        },
      ];
    };
    const outputLabels = monitor.by
      ? pick(source.outputLabels(group), monitor.by)
      : source.outputLabels(group);
    // Prometheus 2 ranges include their start, 3 excludes it: stay a sample clear of both.
    const surelyActive = firstEvaluationAtOrAfter(stopMs - si + window, ei);
    const firing = firingAt(surelyActive, monitor.forMs, ei);
    const quietUntil = firstEvaluationAtOrAfter(stopMs + window - 2 * si, ei) - ei;
    const scenarios: TestScenario[] = [
      {
        title: "fires when the step stops increasing while the job is still reported",
        intervalMs: si,
        inputs: [
          {
            series: source.inputSeries(group),
            values: progressing().holdUntil(lastStep, endMs).toString(),
          },
          ...runningInput(1),
        ],
        checks: [
          { atMs: stopMs, alerts: [] },
          { atMs: quietUntil, alerts: [] },
          { atMs: firing, alerts: [{ labels: outputLabels, value: 0 }] },
        ],
      },
      {
        title: "stays quiet while the window fills and after the job disappears",
        intervalMs: si,
        inputs: [
          { series: source.inputSeries(group), values: progressing().stale().toString() },
          ...runningInput(1),
        ],
        checks: [
          { atMs: Math.floor(window / 2 / ei) * ei, alerts: [] },
          { atMs: firing, alerts: [] },
        ],
      },
    ];
    if (monitor.detector.running) {
      scenarios.push({
        title: "stays quiet when the job has finished",
        intervalMs: si,
        inputs: [
          {
            series: source.inputSeries(group),
            values: progressing().holdUntil(lastStep, endMs).toString(),
          },
          ...runningInput(0),
        ],
        checks: [{ atMs: firing, alerts: [] }],
      });
    }
    return scenarios;
  },

  defaultAnnotations(monitor) {
    return {
      summary: `${titleOf(monitor)}: no progress for ${monitor.detector.window}${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} has not changed for ${monitor.detector.window} ${monitor.detector.running ? "while the job is still reported as running" : "while the series is still reported"}. Layer: ${monitor.layer}.`,
    };
  },
};

function pick(labels: Labels, names: readonly string[]): Labels {
  return Object.fromEntries(names.map((n) => [n, labels[n] ?? ""]));
}
