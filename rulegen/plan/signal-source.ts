import type { Monitor } from "../../spec/model/monitor.js";
import type { Labels } from "../testgen/scenario.js";
import { labelsSatisfying } from "../testgen/synthetic-labels.js";
import { MONITOR_LABEL, recordName, signalOperation } from "../../spec/model/naming.js";
import { aggregateBy, quote } from "../../core/promql/promql-text.js";
import type { RecordingRule } from "./rule-plan.js";

/**
 * How a detector reads the signal:
 * - `inline`: only the current value; a selector's aggregation is written into the alert.
 * - `range`: ranges over the (aggregated) signal, which therefore must be a stored series.
 * - `raw`: per input series, never aggregated first (counters, non-finite values).
 * Any signal that is not a bare selector is recorded first: ranges need a stored series,
 * and generated tests feed the recorded series directly instead of inverting the user's
 * expression.
 */
export type SignalShape = "inline" | "range" | "raw";

export interface SignalSource {
  /** PromQL for the signal's current value, one series per group. */
  readonly ref: string;
  readonly recording: RecordingRule | undefined;
  /** True when `ref` reads a series recorded by aiwatch (it carries the monitor label). */
  readonly recorded: boolean;
  /** Up to `count` distinct test groups (label sets that identify one output series). */
  groups(count: number): Labels[];
  /** The input series a test writes to produce the signal for one group. */
  inputSeries(group: Labels): string;
  /** Labels of the source's output series for one group (without `__name__`). */
  outputLabels(group: Labels): Labels;
}

export function planSignalSource(monitor: Monitor, shape: SignalShape): SignalSource {
  const selector = monitor.signal.selector;
  const aggregate = shape !== "raw" && monitor.by !== undefined;
  const needsRecording = selector === undefined || (shape === "range" && aggregate);
  if (!needsRecording && selector) {
    const fixed = labelsSatisfying(selector.matchers);
    const fixedLabels: Labels = fixed.ok ? fixed.labels : {};
    const base = { ...fixedLabels };
    const metric = selector.metricName ?? base["__name__"] ?? "";
    delete base["__name__"];
    const groupLabels = monitor.by ?? ["instance"];
    return {
      ref:
        aggregate && monitor.by
          ? aggregateBy(monitor.aggregation, monitor.by, monitor.signal.expr)
          : monitor.signal.expr,
      recording: undefined,
      recorded: false,
      groups: (count) => distinctGroups(groupLabels, base, count),
      inputSeries: (group) => formatSeries(metric, { ...group, ...base }),
      outputLabels: (group) => (aggregate ? pick(group, monitor.by ?? []) : { ...group, ...base }),
    };
  }
  const record = recordName(monitor, signalOperation(monitor));
  const monitorLabel = { [MONITOR_LABEL]: monitor.name };
  const expr =
    aggregate && monitor.by
      ? aggregateBy(monitor.aggregation, monitor.by, monitor.signal.expr)
      : monitor.signal.expr;
  const groupLabels = aggregate && monitor.by ? monitor.by : ["instance"];
  return {
    ref: `${record}{${MONITOR_LABEL}=${quote(monitor.name)}}`,
    recording: { kind: "record", record, expr, labels: monitorLabel },
    recorded: true,
    groups: (count) => distinctGroups(groupLabels, {}, count),
    inputSeries: (group) => formatSeries(record, { ...group, ...monitorLabel }),
    outputLabels: (group) => ({ ...group, ...monitorLabel }),
  };
}

function distinctGroups(labelNames: readonly string[], fixed: Labels, count: number): Labels[] {
  const free = labelNames.filter((name) => fixed[name] === undefined);
  const groups: Labels[] = [];
  const letters = "abcdefgh";
  const max = free.length === 0 ? 1 : count;
  for (let i = 0; i < max; i++) {
    const group: Record<string, string> = {};
    for (const name of labelNames)
      group[name] =
        fixed[name] ??
        `${name === "instance" ? "test" : name.replace(/_/g, "-")}-${letters[i] ?? String(i)}`;
    groups.push(group);
  }
  return groups;
}

function pick(labels: Labels, names: readonly string[]): Labels {
  return Object.fromEntries(
    names.filter((n) => labels[n] !== undefined).map((n) => [n, labels[n] ?? ""]),
  );
}

/** `metric{a="1", b="2"}` with labels sorted, the form promtool's input series take. */
export function formatSeries(metric: string, labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return metric;
  return `${metric}{${names.map((n) => `${n}=${quote(labels[n] ?? "")}`).join(", ")}}`;
}
