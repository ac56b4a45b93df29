import type { Settings } from "../../../spec/model/monitor.js";
import { numberLiteral } from "../../../core/promql/promql-text.js";
import { monitorLabels } from "../../plan/recorded-series.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { counterValues } from "../../testgen/counter-values.js";
import type { ExpectedAlert, Labels, SeriesInput, TestScenario } from "../../testgen/scenario.js";
import { firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import { seriesFor } from "../counter-selectors.js";
import { leMatcherValue } from "./le-matcher.js";
import { LONG_WINDOW_LABEL, SHORT_WINDOW_LABEL, sliSelectors } from "./rules.js";
import type { SloMonitor } from "./rules.js";
import { errorBudget, windowPairs } from "./windows.js";

const EVENTS = 100;

/**
 * Counters that grow by fixed amounts make every window's error ratio exact once the
 * window lies inside one phase, on Prometheus 2 and 3 alike. Samples are taken at least
 * once per evaluation: a 3d window at 15s would only slow promtool down.
 */
export function planSloTests(monitor: SloMonitor, settings: Settings): TestScenario[] {
  const params = monitor.detector;
  const ei = settings.evaluationIntervalMs;
  const interval = Math.max(settings.scrapeIntervalMs, ei);
  const pairs = windowPairs(params);
  const budget = errorBudget(params);
  const maxRate = Math.max(...pairs.map((p) => p.burnRate));
  const minRate = Math.min(...pairs.map((p) => p.burnRate));
  const source = planSignalSource(monitor, "raw");
  const by = monitor.by ?? [];
  const groups = source.groups(2).map((g) => Object.fromEntries(by.map((l) => [l, g[l] ?? ""])));
  const [first = {}, second = groups[0] ?? {}] = groups;
  const inputs = (group: Labels, segments: { untilMs: number; events: number; bad: number }[]) =>
    sloInputs(monitor, group, interval, segments);

  // A burst from the first sample on: every window, however long, sees the same share of
  // bad events (both counters start at 0 together), so three hours prove every pair.
  const bad = Math.min(1, 2 * maxRate * budget);
  const burnRate = Number((bad / budget).toPrecision(12));
  const full = firstEvaluationAtOrAfter(3 * 3_600_000, ei);
  const alerts: ExpectedAlert[] = pairs
    .filter((p) => burnRate > p.burnRate)
    .map((p) => ({
      labels: {
        ...first,
        ...monitorLabels(monitor),
        [LONG_WINDOW_LABEL]: p.long,
        [SHORT_WINDOW_LABEL]: p.short,
      },
      value: bad / budget,
      ruleLabels: {
        [LONG_WINDOW_LABEL]: p.long,
        [SHORT_WINDOW_LABEL]: p.short,
        ...(p.severity ? { severity: p.severity } : {}),
      },
    }));
  const quietBad = (budget * minRate) / 2;
  const shortEnd = full;
  return [
    {
      title: `fires every window pair whose burn-rate threshold is below ${numberLiteral(burnRate)} on a sustained burst of ${numberLiteral(Number((bad * 100).toPrecision(12)))}% bad events`,
      intervalMs: interval,
      inputs: inputs(first, [{ untilMs: full + ei, events: EVENTS, bad }]),
      checks: [{ atMs: full, alerts }],
    },
    {
      title: `stays quiet while the budget burns at ${numberLiteral(minRate / 2)}x`,
      intervalMs: interval,
      inputs: inputs(first, [{ untilMs: shortEnd + ei, events: EVENTS, bad: quietBad }]),
      checks: [{ atMs: shortEnd, alerts: [] }],
    },
    {
      title: `stays quiet on zero traffic and below ${numberLiteral(params.min_events)} events per window`,
      intervalMs: interval,
      inputs: [
        ...inputs(first, [
          {
            untilMs: shortEnd + ei,
            events: params.min_events / ((shortEnd + ei) / interval) / 2,
            bad: 1,
          },
        ]),
        ...(second === first
          ? []
          : inputs(second, [{ untilMs: shortEnd + ei, events: 0, bad: 0 }])),
      ],
      checks: [{ atMs: shortEnd, alerts: [] }],
    },
  ];
}

function sloInputs(
  monitor: SloMonitor,
  group: Labels,
  interval: number,
  segments: readonly { untilMs: number; events: number; bad: number }[],
): SeriesInput[] {
  const params = monitor.detector;
  const sli = sliSelectors(monitor);
  const counter = (perSample: (s: { events: number; bad: number }) => number): string =>
    counterValues(
      interval,
      segments.map((s) => ({ untilMs: s.untilMs, perSample: perSample(s) })),
    );
  if (params.latency_threshold !== undefined) {
    const le = leMatcherValue(params.latency_threshold).split("|")[0]?.replace(/\\/g, "") ?? "";
    return [
      { series: seriesFor(sli.total, group), values: counter((s) => s.events) },
      {
        series: seriesFor(monitor.signal.expr, group, { le }),
        values: counter((s) => s.events * (1 - s.bad)),
      },
    ];
  }
  return [
    { series: seriesFor(monitor.signal.expr, group), values: counter((s) => s.events * s.bad) },
    { series: seriesFor(sli.total, group), values: counter((s) => s.events) },
  ];
}
