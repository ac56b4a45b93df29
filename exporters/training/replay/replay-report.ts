/** When one alert fired, as the rule engine's output says (rulegen's backtest reads it). */
export interface FiringInterval {
  readonly monitor: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly startMs: number;
  readonly endMs: number;
}

import type { CounterEvent, ReplayScrapes } from "./replay-scrapes.js";

/** One firing of one alert in the replay, with the steps that made it fire. */
export interface ReplayAlert {
  readonly alertname: string;
  readonly monitor: string;
  /** The alert's labels, without alertname, alertstate and monitor. */
  readonly labels: Readonly<Record<string, string>>;
  readonly firedAtMs: number;
  /** The step the run had reached when the alert first fired (its last scrape's). */
  readonly firedAtStep: number | undefined;
  /** When it stopped firing; undefined while still firing at the end of the replay. */
  readonly resolvedAtMs: number | undefined;
  readonly resolvedAtStep: number | undefined;
  /**
   * The logged steps at which the counters the alert reads moved (outliers, degraded
   * steps, overflows, non-finite values), up to the end of the firing: where the
   * incident is in the log, whatever the scrape interval.
   */
  readonly events: readonly ReplayEvent[];
}

/** A logged step at which a counter the alert reads moved, and when (replay time). */
export interface ReplayEvent {
  readonly step: number;
  readonly atMs: number;
}

/**
 * The firing intervals promtool reported, as steps of the run: when each alert fired,
 * and the steps of the counter events behind it. `signals` gives each monitor's signal
 * (PromQL), whose counter selectors pick the events.
 */
export function replayAlerts(
  intervals: readonly FiringInterval[],
  scrapes: ReplayScrapes,
  signals: ReadonlyMap<string, string>,
  endMs: number,
): ReplayAlert[] {
  const previousEnd = new Map<string, number>();
  return intervals.map((interval) => {
    const {
      alertname = "",
      alertstate: _state,
      monitor = interval.monitor,
      ...labels
    } = interval.labels;
    const key = JSON.stringify([alertname, labels]);
    const since = previousEnd.get(key) ?? -Infinity;
    const resolved = interval.endMs < endMs ? interval.endMs : undefined;
    previousEnd.set(key, interval.endMs);
    const until = resolved ?? Infinity;
    const signal = signals.get(monitor) ?? "";
    const seen = new Set<number>();
    const events: ReplayEvent[] = [];
    for (const e of scrapes.events) {
      if (e.atMs <= since || e.atMs > until || e.step === undefined || seen.has(e.step)) continue;
      if (!eventMatches(e, signal, labels)) continue;
      seen.add(e.step);
      events.push({ step: e.step, atMs: e.atMs });
    }
    return {
      alertname,
      monitor,
      labels,
      firedAtMs: interval.startMs,
      firedAtStep: stepAt(scrapes, interval.startMs),
      resolvedAtMs: resolved,
      resolvedAtStep: resolved === undefined ? undefined : stepAt(scrapes, resolved),
      events,
    };
  });
}

/** The run's step at the last scrape at or before `ms`. */
function stepAt(scrapes: ReplayScrapes, ms: number): number | undefined {
  const index = Math.min(scrapes.times.length - 1, Math.floor(ms / scrapes.scrapeIntervalMs));
  return scrapes.steps[index];
}

/**
 * Whether a counter event feeds a signal: the signal names the event's metric with
 * matchers the event's labels satisfy, and the event agrees with the alert's labels.
 */
export function eventMatches(
  event: CounterEvent,
  signal: string,
  alertLabels: Readonly<Record<string, string>>,
): boolean {
  const { name, labels } = parseSeries(event.series);
  for (const [label, value] of Object.entries(alertLabels))
    if (labels[label] !== undefined && labels[label] !== value) return false;
  const occurrences = new RegExp(
    `(?<![A-Za-z0-9_:])${name}(?![A-Za-z0-9_:])\\s*(\\{[^}]*\\})?`,
    "g",
  );
  for (const match of signal.matchAll(occurrences))
    if (matchersHold(match[1] ?? "", labels)) return true;
  return false;
}

function matchersHold(text: string, labels: Readonly<Record<string, string>>): boolean {
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
    const value = labels[m[1] ?? ""] ?? "";
    const wanted = JSON.parse(`"${m[3] ?? ""}"`) as string;
    const op = m[2];
    const ok =
      op === "="
        ? value === wanted
        : op === "!="
          ? value !== wanted
          : new RegExp(`^(?:${wanted})$`).test(value) === (op === "=~");
    if (!ok) return false;
  }
  return true;
}

/** `name{a="1",b="x\"y"}` → its name and labels. */
function parseSeries(series: string): { name: string; labels: Record<string, string> } {
  const brace = series.indexOf("{");
  if (brace < 0) return { name: series, labels: {} };
  const labels: Record<string, string> = {};
  for (const m of series.slice(brace).matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
    labels[m[1] ?? ""] = (m[2] ?? "").replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
  return { name: series.slice(0, brace), labels };
}
