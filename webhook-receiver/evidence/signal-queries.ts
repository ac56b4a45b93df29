import type { MonitorContext } from "../../spec/context/spec-context.js";
import { anyOf, rangeText, selectorText } from "./promql-text.js";
import type { QueryMatcher } from "./promql-text.js";
import type { Labels } from "./series.js";
import type { JoinLabel } from "./topology.js";

/** A payload's label names reach PromQL only if they are label names (no injection). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels every aiwatch alert carries besides the signal's own. */
const RULE_LABELS = new Set(["alertname", "severity", "monitor", "layer"]);

/**
 * How a monitor's series combine in a query: its own aggregation for levels, the max for
 * event codes. Counters are not combined in the query: a sum of counters falls by a whole
 * replica's count when that replica restarts, and the next step's difference would count
 * the rest of the sum as an increase. Each counter is read on its own, differenced (resets
 * handled as Prometheus's increase() handles them) and the group's increases summed
 * (`signalSeries`); the query, and the link showing it, are the counters themselves.
 */
function aggregationOf(monitor: MonitorContext): string | undefined {
  if (monitor.valueKind === "counter") return undefined;
  if (monitor.valueKind === "event_code") return "max";
  return monitor.aggregation;
}

/**
 * A monitor's signal restricted by `extra` matchers: one series per group, or for a
 * counter every series of the groups (summed per group after differencing).
 */
export function signalQuery(
  monitor: MonitorContext,
  extra: readonly QueryMatcher[],
): string | undefined {
  if (!monitor.selector) return undefined;
  const selector = selectorText(monitor.selector, extra);
  const aggregation = aggregationOf(monitor);
  return monitor.aggregateInQuery && monitor.by && aggregation
    ? `${aggregation} by (${monitor.by.join(", ")}) (${selector})`
    : selector;
}

/**
 * The labels that identify an alert's group in its monitor's signal. A `by` label the
 * alert lacks was empty on the series (Prometheus drops empty labels), so it is matched
 * as `=""`: left out, the query would take in every group that has it (every `rank` of
 * a run whose alert came from the unranked series).
 */
export function groupMatchers(monitor: MonitorContext, alertLabels: Labels): QueryMatcher[] {
  const names =
    monitor.by ??
    Object.keys(alertLabels).filter(
      (name) => !RULE_LABELS.has(name) && !(name in monitor.alertLabels),
    );
  return names
    .filter((name) => LABEL_NAME.test(name))
    .sort()
    .map((name) => ({ name, op: "=", value: alertLabels[name] ?? "" }));
}

/**
 * A related monitor's signal joined to the alert's topology: the union (`or`) of its
 * series sharing any known entity. With no possible join, every series of it (cluster).
 */
export function joinedSignalQuery(
  monitor: MonitorContext,
  joins: readonly JoinLabel[],
): string | undefined {
  if (joins.length === 0) return signalQuery(monitor, []);
  const parts = joins
    .map((j) => signalQuery(monitor, [anyOf(j.label, j.values)]))
    .filter((q): q is string => q !== undefined);
  return parts.length > 0 ? parts.join(" or ") : undefined;
}

/** Every raw series of the alert's group, with all their labels (for the topology). */
export function rawGroupQuery(
  monitor: MonitorContext,
  alertLabels: Labels,
  rangeMs: number,
): string | undefined {
  if (!monitor.selector || !monitor.aggregateInQuery) return undefined;
  return `last_over_time(${selectorText(monitor.selector, groupMatchers(monitor, alertLabels))}[${rangeText(rangeMs)}])`;
}

/** Series of a metric sharing any of `joins` (unaggregated), e.g. info metrics, XID codes. */
export function joinedMetricQuery(
  metric: string,
  joins: readonly JoinLabel[],
  rangeMs?: number,
): string | undefined {
  if (joins.length === 0) return undefined;
  return joins
    .map((j) => {
      const selector = selectorText({ metric, matchers: [] }, [anyOf(j.label, j.values)]);
      return rangeMs === undefined
        ? selector
        : `last_over_time(${selector}[${rangeText(rangeMs)}])`;
    })
    .join(" or ");
}

/** Alert state of monitors in Prometheus (`ALERTS`, pending and firing). */
export function alertStateQuery(monitorNames: readonly string[]): string | undefined {
  if (monitorNames.length === 0) return undefined;
  return selectorText({ metric: "ALERTS", matchers: [] }, [anyOf("monitor", monitorNames)]);
}
