import type { FiringInterval } from "./firing-intervals.js";

const DAY = 86_400_000;

export interface LabelledWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** Only this monitor's alerts count for it; every monitor's when absent. */
  readonly monitor?: string;
}

export interface Score {
  readonly labelled: number;
  readonly detected: number;
  readonly recall: number;
  readonly falseAlerts: number;
  readonly falseAlertsPerDay: number;
}

/**
 * Recall: labelled windows with an alert that overlaps them (an alert may start up to
 * `graceMs` after the window ends: `for` delays it). False alerts: alerts that overlap no
 * labelled window, per day of the range.
 */
export function scoreAgainstWindows(
  intervals: readonly FiringInterval[],
  windows: readonly LabelledWindow[],
  range: { startMs: number; endMs: number },
  graceMs: number,
): Score {
  const overlaps = (i: FiringInterval, w: LabelledWindow): boolean =>
    (w.monitor === undefined || w.monitor === i.monitor) &&
    i.startMs <= w.endMs + graceMs &&
    i.endMs >= w.startMs;
  const detected = windows.filter((w) => intervals.some((i) => overlaps(i, w))).length;
  const falseAlerts = intervals.filter((i) => !windows.some((w) => overlaps(i, w))).length;
  const days = Math.max(range.endMs - range.startMs, 1) / DAY;
  return {
    labelled: windows.length,
    detected,
    recall: windows.length === 0 ? NaN : detected / windows.length,
    falseAlerts,
    falseAlertsPerDay: falseAlerts / days,
  };
}

/** Alerts started per UTC day. */
export function countsPerDay(intervals: readonly FiringInterval[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of intervals) {
    const day = new Date(i.startMs).toISOString().slice(0, 10);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** One line that says whether a monitor would be worth paging on. */
export function noiseVerdict(
  intervals: readonly FiringInterval[],
  range: { startMs: number; endMs: number },
): string {
  const days = Math.max(range.endMs - range.startMs, 1) / DAY;
  const perDay = intervals.length / days;
  const firingMs = intervals.reduce((n, i) => n + (i.endMs - i.startMs), 0);
  const share = firingMs / Math.max(range.endMs - range.startMs, 1);
  const facts = `${intervals.length} alert${intervals.length === 1 ? "" : "s"} in ${days.toFixed(1)} days (${perDay.toFixed(2)}/day), firing ${(share * 100).toFixed(1)}% of the time`;
  if (intervals.length === 0) return `silent: no alert in ${days.toFixed(1)} days`;
  if (share > 0.2)
    return `stuck: ${facts}; the condition holds most of the time, check the threshold`;
  if (perDay > 5) return `too noisy to page on: ${facts}`;
  if (perDay > 1) return `noisy: ${facts}`;
  return `quiet: ${facts}`;
}
