import type { Alert, Notification } from "../payload/notification.js";

/** Alert keys kept per incident (a group of thousands keeps its newest). */
export const MAX_ALERT_KEYS = 1000;

/** An incident as filing sees it: the episode a group's next notification may continue. */
export interface FiledIncident {
  /** Negative until stored: an incident this plan opens. */
  readonly id: number;
  readonly receiver: string;
  readonly groupKey: string;
  readonly alertname: string;
  readonly fingerprint: string;
  startedAt: number;
  readonly openedAt: number;
  lastAt: number;
  closedAt?: number;
  closeReason?: "resolved" | "superseded";
  notifications: number;
  alertKeys: string[];
}

export interface FilingInput {
  readonly notificationId: number;
  readonly receivedAt: number;
  readonly receiver: string;
  readonly groupKey: string;
  readonly notification: Notification;
}

export interface FilingPlan {
  /** Every incident the plan touched, in its final state (new ones with negative ids). */
  readonly incidents: readonly FiledIncident[];
  /** Which incident each notification is filed under (ids as in `incidents`). */
  readonly links: readonly { notificationId: number; incidentId: number }[];
}

/**
 * Files routed notifications, in accept order, under their groups' episodes: the pure
 * part of incident filing, for a store that reads the open incidents first and writes the
 * plan after (PostgreSQL; SQLite files one at a time in incident-writes.ts, by the same
 * rules). `open` holds each group's open incident, if any.
 */
export function planIncidentFiling(
  open: readonly FiledIncident[],
  inputs: readonly FilingInput[],
): FilingPlan {
  const current = new Map<string, FiledIncident>();
  for (const incident of open) current.set(groupId(incident), incident);
  const touched = new Map<number, FiledIncident>();
  const links: { notificationId: number; incidentId: number }[] = [];
  let nextNew = -1;
  for (const input of [...inputs].sort((a, b) => a.notificationId - b.notificationId)) {
    const n = input.notification;
    const keys = n.alerts.map(alertKey);
    const started = earliestStart(n);
    const id = groupId(input);
    let incident = current.get(id);
    if (incident && continues(incident.alertKeys, n, keys)) {
      incident.lastAt = input.receivedAt;
      if (Number.isFinite(started)) incident.startedAt = Math.min(started, incident.startedAt);
      incident.notifications += 1;
      incident.alertKeys = [...new Set([...incident.alertKeys, ...keys])].slice(-MAX_ALERT_KEYS);
    } else {
      if (incident) {
        incident.closedAt = incident.lastAt;
        incident.closeReason = "superseded";
        // A stored episode is written back only if touched: without this it stayed open
        // and the new one hit the one-open-episode-per-group index.
        touched.set(incident.id, incident);
      }
      const primary = primaryAlert(n);
      incident = {
        id: nextNew--,
        receiver: input.receiver,
        groupKey: input.groupKey,
        alertname: primary?.labels["alertname"] ?? n.commonLabels["alertname"] ?? "(no alertname)",
        fingerprint: primary?.fingerprint ?? "",
        startedAt: Number.isFinite(started) ? started : input.receivedAt,
        openedAt: input.receivedAt,
        lastAt: input.receivedAt,
        notifications: 1,
        alertKeys: keys.slice(-MAX_ALERT_KEYS),
      };
    }
    touched.set(incident.id, incident);
    if (n.status === "resolved") {
      incident.closedAt = resolvedAt(n, input.receivedAt);
      incident.closeReason = "resolved";
      current.delete(id);
    } else {
      current.set(id, incident);
    }
    links.push({ notificationId: input.notificationId, incidentId: incident.id });
  }
  return { incidents: [...touched.values()], links };
}

function groupId(g: { receiver: string; groupKey: string }): string {
  return JSON.stringify([g.receiver, g.groupKey]);
}

export function alertKey(alert: Alert): string {
  return `${alert.fingerprint}@${alert.startsAt}`;
}

/** The earliest start among the alerts (Infinity when none parses). */
export function earliestStart(n: Notification): number {
  return Math.min(...n.alerts.map((a) => Date.parse(a.startsAt)).filter(Number.isFinite));
}

/**
 * A notification continues the open episode when it resolves it or shows one of its
 * alerts (same fingerprint, same start); a group that fires again with only new alerts
 * had its previous episode end unannounced (`send_resolved: false`).
 */
export function continues(
  seenKeys: readonly string[],
  n: Notification,
  keys: readonly string[],
): boolean {
  if (n.status === "resolved") return true;
  const seen = new Set(seenKeys);
  return keys.some((k) => seen.has(k));
}

/** The earliest firing alert (ties by fingerprint), as the root-cause analysis picks it. */
export function primaryAlert(n: Notification): Alert | undefined {
  let best: Alert | undefined;
  for (const alert of n.alerts) {
    if (
      !best ||
      (alert.status === "firing" && best.status !== "firing") ||
      (alert.status === best.status &&
        (alert.startsAt < best.startsAt ||
          (alert.startsAt === best.startsAt && alert.fingerprint < best.fingerprint)))
    )
      best = alert;
  }
  return best;
}

export function resolvedAt(n: Notification, receivedAt: number): number {
  const ends = n.alerts.map((a) => Date.parse(a.endsAt ?? "")).filter(Number.isFinite);
  return ends.length > 0 ? Math.max(...ends) : receivedAt;
}
