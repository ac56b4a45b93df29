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
  readonly facts: FilingFacts;
}

/**
 * What filing needs of a notification (both stores file by it), taken from it where it is
 * already parsed: the PostgreSQL store files on the event loop, where parsing each stored
 * payload again took up to 45 ms for one group of 10,000 alerts (the most the limits allow).
 */
export interface FilingFacts {
  readonly resolved: boolean;
  /** Each alert's key (alertKey), in the notification's order. */
  readonly keys: readonly string[];
  /** The earliest start among the alerts; Infinity when none parses. */
  readonly started: number;
  /** The primary alert's alertname (else the group's) and fingerprint. */
  readonly alertname: string;
  readonly fingerprint: string;
  /** The latest end among the alerts; -Infinity when none parses (see resolvedAt). */
  readonly lastEnd: number;
}

export function filingFacts(n: Notification): FilingFacts {
  const primary = primaryAlert(n);
  return {
    resolved: n.status === "resolved",
    keys: n.alerts.map(alertKey),
    started: earliestStart(n),
    alertname: primary?.labels["alertname"] ?? n.commonLabels["alertname"] ?? "(no alertname)",
    fingerprint: primary?.fingerprint ?? "",
    lastEnd: latestEnd(n),
  };
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
    const { keys, started, resolved } = input.facts;
    const id = groupId(input);
    let incident = current.get(id);
    if (incident && continues(incident.alertKeys, resolved, keys)) {
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
      incident = {
        id: nextNew--,
        receiver: input.receiver,
        groupKey: input.groupKey,
        alertname: input.facts.alertname,
        fingerprint: input.facts.fingerprint,
        startedAt: Number.isFinite(started) ? started : input.receivedAt,
        openedAt: input.receivedAt,
        lastAt: input.receivedAt,
        notifications: 1,
        alertKeys: keys.slice(-MAX_ALERT_KEYS),
      };
    }
    touched.set(incident.id, incident);
    if (resolved) {
      incident.closedAt = resolvedAt(input.facts, input.receivedAt);
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

function alertKey(alert: Alert): string {
  return `${alert.fingerprint}@${alert.startsAt}`;
}

/** The earliest start among the alerts (Infinity when none parses). */
function earliestStart(n: Notification): number {
  let earliest = Infinity;
  for (const alert of n.alerts) {
    const start = Date.parse(alert.startsAt);
    if (start < earliest) earliest = start;
  }
  return earliest;
}

/**
 * A notification continues the open episode when it resolves it or shows one of its
 * alerts (same fingerprint, same start); a group that fires again with only new alerts
 * had its previous episode end unannounced (`send_resolved: false`).
 */
export function continues(
  seenKeys: readonly string[],
  resolved: boolean,
  keys: readonly string[],
): boolean {
  if (resolved) return true;
  const seen = new Set(seenKeys);
  return keys.some((k) => seen.has(k));
}

/** The earliest firing alert (ties by fingerprint), as the root-cause analysis picks it. */
function primaryAlert(n: Notification): Alert | undefined {
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

/** When a resolved notification closes its episode: its alerts' latest end, else receipt. */
export function resolvedAt(facts: FilingFacts, receivedAt: number): number {
  return Number.isFinite(facts.lastEnd) ? facts.lastEnd : receivedAt;
}

/** The latest end among the alerts; -Infinity when none parses. */
function latestEnd(n: Notification): number {
  let latest = -Infinity;
  for (const alert of n.alerts) {
    const end = Date.parse(alert.endsAt ?? "");
    if (end > latest) latest = end;
  }
  return latest;
}
