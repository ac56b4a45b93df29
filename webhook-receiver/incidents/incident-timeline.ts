import type { Enrichment } from "../pipeline/enrichment.js";
import { plural } from "../render/plural.js";
import { durationText } from "./html.js";
import type {
  IncidentAction,
  IncidentAttempt,
  IncidentDelivery,
  IncidentNotification,
  IncidentRow,
} from "./incident-store.js";

export type TimelineKind =
  | "fired"
  | "received"
  | "enriched"
  | "sent"
  | "retry"
  | "failed"
  | "pending"
  | "action"
  | "resolved"
  | "ended";

export interface TimelineEvent {
  readonly at: number;
  readonly kind: TimelineKind;
  readonly text: string;
}

export interface TimelineInput {
  readonly incident: IncidentRow;
  readonly notifications: readonly IncidentNotification[];
  readonly deliveries: readonly IncidentDelivery[];
  readonly attempts: readonly IncidentAttempt[];
  readonly actions: readonly IncidentAction[];
  readonly enrichment: Enrichment | undefined;
  /** Error texts from platforms can echo a secret (a webhook URL): redacted as in logs. */
  readonly redact: (text: string) => string;
}

/** Order of events at the same millisecond: cause before effect. */
const ORDER: Readonly<Record<TimelineKind, number>> = {
  fired: 0,
  received: 1,
  enriched: 2,
  action: 3,
  sent: 4,
  retry: 4,
  failed: 4,
  pending: 5,
  resolved: 6,
  ended: 7,
};

/**
 * The group's story from the receiver's own records: each alert firing and resolving,
 * each notification Alertmanager sent, the evidence captured, each send per destination
 * with its retries (and whether it went out in a digest), the automated actions, and the
 * episode's end.
 */
export function buildTimeline(input: TimelineInput): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const seenFired = new Set<string>();
  const seenResolved = new Set<string>();
  const notificationIds = new Set(input.notifications.map((n) => n.id));
  for (const { id, receivedAt, notification } of input.notifications) {
    for (const alert of notification.alerts) {
      const key = `${alert.fingerprint}@${alert.startsAt}`;
      const name = alert.labels["alertname"] ?? "(no alertname)";
      const start = Date.parse(alert.startsAt);
      if (!seenFired.has(key) && Number.isFinite(start)) {
        seenFired.add(key);
        events.push({ at: start, kind: "fired", text: `${name} fired${labelHint(alert.labels)}` });
      }
      const end = Date.parse(alert.endsAt ?? "");
      if (alert.status === "resolved" && !seenResolved.has(key) && Number.isFinite(end)) {
        seenResolved.add(key);
        events.push({
          at: end,
          kind: "resolved",
          text: `${name} resolved${labelHint(alert.labels)}`,
        });
      }
    }
    const firing = notification.alerts.filter((a) => a.status === "firing").length;
    const resolved = notification.alerts.length - firing;
    events.push({
      at: receivedAt,
      kind: "received",
      text: `notification #${id} from Alertmanager (${notification.status}: ${firing} firing, ${resolved} resolved)`,
    });
  }
  const evidence = input.enrichment?.evidence;
  if (input.enrichment && evidence)
    events.push({
      at: evidence.capturedAt,
      kind: "enriched",
      text: `evidence captured: ${input.enrichment.headline}`,
    });
  const deliveries = new Map(input.deliveries.map((d) => [d.id, d]));
  for (const attempt of input.attempts) {
    const delivery = deliveries.get(attempt.deliveryId);
    if (!delivery || !notificationIds.has(delivery.notificationId)) continue;
    const what = `${delivery.kind === "follow_up" ? "follow-up" : "message"} for #${delivery.notificationId} to ${delivery.destination}`;
    const digest = attempt.batch > 1 ? ` in a digest of ${attempt.batch} notifications` : "";
    const took = attempt.durationMs !== undefined ? ` (${Math.round(attempt.durationMs)} ms)` : "";
    const detail = attempt.detail !== undefined ? `: ${input.redact(attempt.detail)}` : "";
    switch (attempt.outcome) {
      case "delivered":
        events.push({ at: attempt.at, kind: "sent", text: `${what} delivered${digest}${took}` });
        break;
      case "retry":
      case "resize":
        events.push({
          at: attempt.at,
          kind: "retry",
          text: `${what} not accepted${digest}, will retry${detail}`,
        });
        break;
      default:
        events.push({ at: attempt.at, kind: "failed", text: `${what} refused${digest}${detail}` });
    }
  }
  for (const d of input.deliveries) {
    if (d.state === "dead")
      events.push({
        at: d.finishedAt ?? d.createdAt,
        kind: "failed",
        text: `${d.kind === "follow_up" ? "follow-up" : "message"} for #${d.notificationId} to ${d.destination} moved to dead letters after ${plural(d.attempts, "attempt")}${d.lastError ? `: ${input.redact(d.lastError)}` : ""}`,
      });
    else if (d.state === "pending")
      events.push({
        at: d.nextAttemptAt,
        kind: "pending",
        text: `${d.kind === "follow_up" ? "follow-up" : "message"} for #${d.notificationId} to ${d.destination} pending (attempt ${d.attempts + 1} due)`,
      });
  }
  for (const a of input.actions)
    events.push({
      at: a.at,
      kind: "action",
      text: `action ${a.action} (${a.mode.replace("_", " ")}): ${a.result.replace("_", " ")}${a.detail ? ` — ${input.redact(a.detail)}` : ""}`,
    });
  const incident = input.incident;
  if (incident.closedAt !== undefined)
    events.push(
      incident.closeReason === "resolved"
        ? {
            at: incident.closedAt,
            kind: "resolved",
            text: `incident resolved after ${durationText(incident.closedAt - incident.startedAt)}`,
          }
        : {
            at: incident.closedAt,
            kind: "ended",
            text: "incident ended: the group fired again with new alerts (no resolved notification was sent)",
          },
    );
  return events.sort((a, b) => a.at - b.at || ORDER[a.kind] - ORDER[b.kind]);
}

/** A few distinguishing labels, so alerts of one group can be told apart. */
function labelHint(labels: Readonly<Record<string, string>>): string {
  const shown = Object.entries(labels)
    .filter(([name]) => !["alertname", "severity", "monitor", "layer"].includes(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, 4)
    .map(([name, value]) => `${name}=${value}`);
  return shown.length > 0 ? ` (${shown.join(", ")})` : "";
}
