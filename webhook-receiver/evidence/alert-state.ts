import type { Labels, Series } from "./series.js";

/** One alert as Prometheus's `ALERTS` series show it over the window. */
export interface AlertState {
  readonly monitor: string;
  /** The alert's labels without `alertname` and `alertstate`. */
  readonly labels: Labels;
  /** First moment it was pending or firing in the window. */
  readonly activeSince: number;
  /** Whether it fired at or after `fromMs`. */
  readonly firing: boolean;
}

/**
 * Folds `ALERTS{alertstate="pending"|"firing"}` series into one state per alert. An alert
 * that was only pending never fired: it is no evidence.
 */
export function alertStates(series: readonly Series[], fromMs: number): AlertState[] {
  const byKey = new Map<
    string,
    { labels: Labels; monitor: string; since: number; firing: boolean }
  >();
  for (const s of series) {
    const { alertname: _alertname, alertstate, ...labels } = s.labels;
    const monitor = labels["monitor"];
    const first = s.samples[0];
    if (monitor === undefined || !first) continue;
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    const entry = byKey.get(key) ?? { labels, monitor, since: first.t, firing: false };
    entry.since = Math.min(entry.since, first.t);
    if (alertstate === "firing" && s.samples.some((x) => x.t >= fromMs)) entry.firing = true;
    byKey.set(key, entry);
  }
  return [...byKey.values()].map((e) => ({
    monitor: e.monitor,
    labels: e.labels,
    activeSince: e.since,
    firing: e.firing,
  }));
}
