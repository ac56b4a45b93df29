import type { HistoryEntry } from "../store/history-store.js";

export interface AlertReport {
  readonly from: number;
  readonly to: number;
  readonly notifications: number;
  readonly byAlert: readonly AlertCount[];
  readonly bySeverity: readonly {
    readonly severity: string;
    readonly episodes: number;
    readonly notifications: number;
  }[];
  readonly noisiest: readonly AlertCount[];
  readonly flapping: readonly {
    readonly alertname: string;
    readonly fingerprint: string;
    readonly episodes: number;
  }[];
  readonly timeToResolve: readonly {
    readonly alertname: string;
    readonly resolved: number;
    readonly medianMs: number;
    readonly maxMs: number;
  }[];
}

export interface AlertCount {
  readonly alertname: string;
  readonly severity: string;
  /** Distinct firing episodes (an alert series starting to fire). */
  readonly episodes: number;
  /** Notifications that mentioned the alert. */
  readonly notifications: number;
}

/** An alert series that started firing this many times in the window is flapping. */
export const FLAPPING_EPISODES = 3;
const TOP = 10;

/**
 * The alert report over a window of kept notifications: counts by alert and severity,
 * the noisiest alerts (most notifications), the flapping ones (one series firing again and
 * again) and time to resolve (endsAt - startsAt of resolved alerts).
 */
export function computeAlertReport(
  entries: readonly HistoryEntry[],
  from: number,
  to: number,
): AlertReport {
  const inWindow = entries.filter((e) => e.receivedAt >= from && e.receivedAt <= to);
  const byAlert = new Map<
    string,
    { alertname: string; severity: string; episodes: Set<string>; notifications: number }
  >();
  const episodesBySeries = new Map<string, { alertname: string; starts: Set<string> }>();
  const resolvedDurations = new Map<string, Map<string, number>>();
  for (const entry of inWindow) {
    const seenHere = new Set<string>();
    for (const alert of entry.notification.alerts) {
      const alertname = alert.labels["alertname"] ?? "(no alertname)";
      const severity = alert.labels["severity"] ?? "none";
      const key = `${alertname}\u0000${severity}`;
      const row = byAlert.get(key) ?? {
        alertname,
        severity,
        episodes: new Set<string>(),
        notifications: 0,
      };
      byAlert.set(key, row);
      const episode = `${alert.fingerprint}@${alert.startsAt}`;
      row.episodes.add(episode);
      if (!seenHere.has(key)) {
        row.notifications++;
        seenHere.add(key);
      }
      const series = episodesBySeries.get(alert.fingerprint) ?? {
        alertname,
        starts: new Set<string>(),
      };
      series.starts.add(alert.startsAt);
      episodesBySeries.set(alert.fingerprint, series);
      if (alert.status === "resolved" && alert.endsAt) {
        const durations = resolvedDurations.get(alertname) ?? new Map<string, number>();
        durations.set(episode, Date.parse(alert.endsAt) - Date.parse(alert.startsAt));
        resolvedDurations.set(alertname, durations);
      }
    }
  }
  const counts: AlertCount[] = [...byAlert.values()]
    .map((r) => ({
      alertname: r.alertname,
      severity: r.severity,
      episodes: r.episodes.size,
      notifications: r.notifications,
    }))
    .sort((a, b) => a.alertname.localeCompare(b.alertname) || a.severity.localeCompare(b.severity));
  const severities = new Map<string, { episodes: number; notifications: number }>();
  for (const c of counts) {
    const s = severities.get(c.severity) ?? { episodes: 0, notifications: 0 };
    s.episodes += c.episodes;
    s.notifications += c.notifications;
    severities.set(c.severity, s);
  }
  return {
    from,
    to,
    notifications: inWindow.length,
    byAlert: counts,
    bySeverity: [...severities.entries()]
      .map(([severity, s]) => ({ severity, ...s }))
      .sort((a, b) => b.episodes - a.episodes || a.severity.localeCompare(b.severity)),
    noisiest: [...counts]
      .sort((a, b) => b.notifications - a.notifications || a.alertname.localeCompare(b.alertname))
      .slice(0, TOP),
    flapping: [...episodesBySeries.entries()]
      .filter(([, s]) => s.starts.size >= FLAPPING_EPISODES)
      .map(([fingerprint, s]) => ({ alertname: s.alertname, fingerprint, episodes: s.starts.size }))
      .sort((a, b) => b.episodes - a.episodes || a.alertname.localeCompare(b.alertname))
      .slice(0, TOP),
    timeToResolve: [...resolvedDurations.entries()]
      .map(([alertname, durations]) => {
        const values = [...durations.values()].sort((a, b) => a - b);
        const mid = Math.floor(values.length / 2);
        const median =
          values.length % 2 === 1
            ? (values[mid] ?? 0)
            : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
        return {
          alertname,
          resolved: values.length,
          medianMs: median,
          maxMs: values[values.length - 1] ?? 0,
        };
      })
      .sort((a, b) => b.medianMs - a.medianMs || a.alertname.localeCompare(b.alertname)),
  };
}
