import type { Monitor } from "./monitor.js";

/** `training-loss-spike` → `TrainingLossSpike` (alert names are CamelCase). */
export function alertNameFor(monitorName: string): string {
  return monitorName
    .split(/[-_]/)
    .filter((part) => part !== "")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

/** `training-loss-spike` → `training_loss_spike`, for metric-name positions. */
export function snakeCase(monitorName: string): string {
  return monitorName.replace(/-/g, "_");
}

/**
 * The `level` of `level:metric:operations`: the labels the output is aggregated by,
 * `all` when aggregated to one series, `series` when every input series is kept.
 */
export function levelOf(monitor: Monitor): string {
  if (monitor.by === undefined) return "series";
  return monitor.by.length === 0 ? "all" : monitor.by.join("_");
}

/** The `metric` of `level:metric:operations`: the signal's metric, else the monitor's name. */
export function metricOf(monitor: Monitor): string {
  return monitor.signal.selector?.metricName ?? snakeCase(monitor.name);
}

/**
 * The `operations` of the series recorded for the signal itself: its aggregation when it
 * is aggregated (or a selector), else `value`.
 */
export function signalOperation(monitor: Monitor): string {
  if (monitor.signal.selector) return monitor.aggregation;
  return monitor.by ? monitor.aggregation : "value";
}

export function recordName(monitor: Monitor, operation: string): string {
  return `${levelOf(monitor)}:${metricOf(monitor)}:${operation}`;
}

export function groupName(monitor: Monitor, suffix?: string): string {
  return suffix ? `aiwatch-${monitor.name}-${suffix}` : `aiwatch-${monitor.name}`;
}

/** The label that ties recorded series and alerts to their monitor. */
export const MONITOR_LABEL = "monitor";
export const LAYER_LABEL = "layer";
export const SEVERITY_LABEL = "severity";
