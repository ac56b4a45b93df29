import type { IncidentRow } from "./incident-store.js";

/** A re-fire this soon after the previous occurrence ended counts as a flap. */
export const FLAP_WINDOW_MS = 60 * 60_000;

export interface HistorySummary {
  /** Occurrences listed, this one included. */
  readonly occurrences: number;
  /** Times the alert fired again within FLAP_WINDOW_MS of its previous end. */
  readonly flaps: number;
  /** Median time from start to resolution over the resolved occurrences. */
  readonly medianResolveMs?: number;
  readonly resolved: number;
}

/**
 * The alert's record across episodes: how often it came back soon after it ended
 * (flapping) and how long it usually takes to resolve. `previous` is newest first.
 */
export function summarizeHistory(
  current: IncidentRow,
  previous: readonly IncidentRow[],
): HistorySummary {
  const all = [current, ...previous].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  let flaps = 0;
  for (let i = 1; i < all.length; i++) {
    const before = all[i - 1];
    const next = all[i];
    if (!before || !next || before.closedAt === undefined) continue;
    if (next.startedAt - before.closedAt <= FLAP_WINDOW_MS) flaps++;
  }
  const durations = all
    .filter((r) => r.closeReason === "resolved" && r.closedAt !== undefined)
    .map((r) => (r.closedAt ?? r.startedAt) - r.startedAt)
    .sort((a, b) => a - b);
  const middle = durations.length / 2;
  const median =
    durations.length === 0
      ? undefined
      : durations.length % 2 === 1
        ? durations[Math.floor(middle)]
        : ((durations[middle - 1] ?? 0) + (durations[middle] ?? 0)) / 2;
  return {
    occurrences: all.length,
    flaps,
    resolved: durations.length,
    ...(median !== undefined ? { medianResolveMs: median } : {}),
  };
}
