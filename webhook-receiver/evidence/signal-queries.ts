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
 * How a monitor's series combine in a query: its own aggregation for levels, a sum for
 * counters (their increments add up), the max for event codes.
 */
function aggregationOf(monitor: MonitorContext): string {
  if (monitor.valueKind === "counter") return "sum";
  if (monitor.valueKind === "event_code") return "max";
  return monitor.aggregation;
}

/** A monitor's signal, one series per group, restricted by `extra` matchers. */
export function signalQuery(
  monitor: MonitorContext,
  extra: readonly QueryMatcher[],
): string | undefined {
  if (!monitor.selector) return undefined;
  const selector = selectorText(monitor.selector, extra);
  return monitor.aggregateInQuery && monitor.by
    ? `${aggregationOf(monitor)} by (${monitor.by.join(", ")}) (${selector})`
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
