import type { Monitor } from "../../spec/model/monitor.js";
import { MONITOR_LABEL } from "../../spec/model/naming.js";
import { duration, quote } from "../../core/promql/promql-text.js";

/** `name{monitor="m"}`: a series this monitor records, selected by its monitor label. */
export function ownSeries(monitor: Monitor, name: string): string {
  return `${name}{${MONITOR_LABEL}=${quote(monitor.name)}}`;
}

/**
 * A slower group's latest value: its series has a sample only once per group interval,
 * so a plain selector would go stale between evaluations (and 5m lookback is not enough
 * for slower groups); `last_over_time` over two intervals always finds the latest.
 */
export function readBack(monitor: Monitor, name: string, lookbackMs: number): string {
  return `last_over_time(${ownSeries(monitor, name)}[${duration(lookbackMs)}])`;
}

/** The label set every recording of a monitor carries. */
export function monitorLabels(monitor: Monitor): Record<string, string> {
  return { [MONITOR_LABEL]: monitor.name };
}
