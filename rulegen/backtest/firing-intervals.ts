import type { Labels } from "../testgen/scenario.js";

export interface FiringInterval {
  readonly monitor: string;
  readonly labels: Labels;
  readonly startMs: number;
  /** The first evaluation the alert no longer fired at (or the end of the range). */
  readonly endMs: number;
}

/** Identity of an alert: its labels without the ones that change with its state. */
export function alertKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .filter((k) => k !== "__name__" && k !== "alertstate")
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

/**
 * Joins per-evaluation observations (the label sets firing at each time) into intervals.
 * `times` are every evaluation time of the range, in order.
 */
export function intervalsFromObservations(
  times: readonly number[],
  firingAt: ReadonlyMap<number, readonly Labels[]>,
  endMs: number,
): FiringInterval[] {
  const open = new Map<string, { labels: Labels; startMs: number }>();
  const done: FiringInterval[] = [];
  for (const t of times) {
    const now = new Map((firingAt.get(t) ?? []).map((l) => [alertKey(l), l] as const));
    for (const [key, interval] of open)
      if (!now.has(key)) {
        done.push(close(interval, t));
        open.delete(key);
      }
    for (const [key, labels] of now) if (!open.has(key)) open.set(key, { labels, startMs: t });
  }
  for (const interval of open.values()) done.push(close(interval, endMs));
  return done.sort(
    (a, b) => a.startMs - b.startMs || alertKey(a.labels).localeCompare(alertKey(b.labels)),
  );
}

function close(interval: { labels: Labels; startMs: number }, endMs: number): FiringInterval {
  const stripped = Object.fromEntries(
    Object.entries(interval.labels).filter(([k]) => k !== "__name__" && k !== "alertstate"),
  );
  return { monitor: stripped["monitor"] ?? "", labels: stripped, startMs: interval.startMs, endMs };
}

/**
 * Prometheus's `for` and `keep_firing_for` applied to the times an alert condition held
 * (one entry per evaluation step), for sources that only give the condition.
 */
export function applyFor(
  activeTimes: readonly number[],
  stepMs: number,
  forMs: number,
  keepFiringForMs: number,
): { startMs: number; endMs: number }[] {
  const runs: { start: number; last: number }[] = [];
  for (const t of activeTimes) {
    const run = runs[runs.length - 1];
    if (run && t - run.last <= stepMs) run.last = t;
    else runs.push({ start: t, last: t });
  }
  const out: { startMs: number; endMs: number }[] = [];
  const keep = Math.ceil(keepFiringForMs / stepMs) * stepMs;
  for (const run of runs) {
    const end = run.last + stepMs + keep;
    const previous = out[out.length - 1];
    // Still firing (kept by keep_firing_for) when the condition returns: no new `for`.
    if (previous && run.start < previous.endMs) {
      previous.endMs = Math.max(previous.endMs, end);
      continue;
    }
    const firing = run.start + Math.ceil(forMs / stepMs) * stepMs;
    if (firing <= run.last) out.push({ startMs: firing, endMs: end });
  }
  return out;
}
