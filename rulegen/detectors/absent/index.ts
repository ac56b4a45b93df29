import { durationMs } from "../../../core/config/zod-fields.js";
import { formatDuration } from "../../../core/duration.js";
import type { Monitor } from "../../../spec/model/monitor.js";
import { aggregateBy, range } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import { SeriesValues } from "../../testgen/series-values.js";
import { firingAt, firstEvaluationAtOrAfter } from "../../testgen/timing.js";
import type { Labels, SeriesInput } from "../../testgen/scenario.js";
import { groupText, signalText, titleOf } from "../annotation-text.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import type { AbsentParams } from "../../../spec/schema/detectors/absent.js";

type AbsentMonitor = Monitor<AbsentParams>;

/**
 * Without `by`, Prometheus's absent() (which takes its labels from the selector's
 * equality matchers). With `by`, absent() cannot say *which* group stopped, so a group
 * that reported within the lookback but has no current sample is the signal. Both rely
 * on staleness: a vanished target's series end at once, not 5 minutes later.
 */
function alertExpr(monitor: AbsentMonitor, ref: string): string {
  if (!monitor.by) return `absent(${ref})`;
  const lookback = durationMs(monitor.detector.lookback);
  return `${aggregateBy("group", monitor.by, `present_over_time(${range(ref, lookback)})`)} unless on(${monitor.by.join(", ")}) ${aggregateBy("group", monitor.by, ref)}`;
}

export const absentDetector: DetectorDefinition<AbsentParams> = {
  type: "absent",
  signalShape: "raw",
  defaultForMs: (settings) => Math.max(5 * 60_000, 2 * settings.scrapeIntervalMs),

  check(monitor, settings): DetectorProblem[] {
    const problems: DetectorProblem[] = [];
    if (monitor.forMs < 2 * settings.scrapeIntervalMs) {
      problems.push({
        code: "for-too-short",
        message: `for must be at least twice the scrape interval (${formatDuration(2 * settings.scrapeIntervalMs)}) so one missed scrape does not page`,
        path: ["for"],
      });
    }
    if (monitor.by && monitor.by.length === 0) {
      problems.push({
        code: "invalid-value",
        message: "the absent detector needs at least one `by` label, or no `by` at all",
        path: ["by"],
      });
    }
    if (monitor.by && durationMs(monitor.detector.lookback) <= monitor.forMs) {
      problems.push({
        code: "invalid-value",
        message:
          "detector.lookback must be longer than `for`, or the alert resolves before it fires",
        path: ["detector", "lookback"],
      });
    }
    return problems;
  },

  planRules(monitor) {
    const source = planSignalSource(monitor, "raw");
    return {
      alertExpr: alertExpr(monitor, source.ref),
      recordings: source.recording ? [source.recording] : [],
    };
  },

  planTests(monitor, settings) {
    const source = planSignalSource(monitor, "raw");
    const ei = settings.evaluationIntervalMs;
    const si = settings.scrapeIntervalMs;
    const stopMs = 10 * ei;
    const active = firstEvaluationAtOrAfter(stopMs, ei);
    const firing = firingAt(active, monitor.forMs, ei);
    const forgetAt = monitor.by
      ? firstEvaluationAtOrAfter(stopMs + durationMs(monitor.detector.lookback), ei) + ei
      : firing;
    // Streams that keep reporting must outlive the last check, or they too go absent.
    const endMs = forgetAt + 5 * ei;
    // Without `by` the whole signal is one stream: a second series would keep it present.
    const groups = source.groups(monitor.by ? 2 : 1);
    const [stopped = {}, ...others] = groups;
    const inputs: SeriesInput[] = [
      {
        series: source.inputSeries(stopped),
        values: new SeriesValues(si).holdUntil(1, stopMs).stale().toString(),
      },
      ...others.map((g) => ({
        series: source.inputSeries(g),
        values: new SeriesValues(si).holdUntil(1, endMs).toString(),
      })),
    ];
    const labels: Labels = monitor.by
      ? Object.fromEntries(monitor.by.map((l) => [l, source.outputLabels(stopped)[l] ?? ""]))
      : source.recorded
        ? { monitor: monitor.name }
        : equalityLabels(monitor);
    const checks = [
      { atMs: stopMs - ei, alerts: [] },
      { atMs: firing, alerts: [{ labels, value: 1 }] },
    ];
    if (monitor.by) checks.push({ atMs: forgetAt, alerts: [] });
    return [
      {
        title: monitor.by
          ? "fires for the group whose stream stopped, then forgets it after the lookback"
          : "fires when the stream stops",
        intervalMs: si,
        inputs,
        checks,
      },
    ];
  },

  defaultAnnotations(monitor) {
    return {
      summary: `${titleOf(monitor)}: no data${groupText(monitor)}`,
      description: `The signal ${signalText(monitor)} has reported no samples for ${formatDuration(monitor.forMs)}. Layer: ${monitor.layer}.`,
    };
  },
};

function equalityLabels(monitor: AbsentMonitor): Labels {
  const matchers = monitor.signal.selector?.matchers ?? [];
  return Object.fromEntries(matchers.filter((m) => m.op === "=").map((m) => [m.name, m.value]));
}
