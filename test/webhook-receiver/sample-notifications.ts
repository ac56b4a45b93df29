import type { Alert, Notification } from "../../webhook-receiver/payload/notification.js";
import { recordOf } from "../../webhook-receiver/payload/prepare-notification.js";
import type { AcceptRecord } from "../../webhook-receiver/store/inbox-writes.js";

/** A webhook payload as Alertmanager 0.25 sends it, for tests that need one. */
export function webhookPayload(options: {
  alerts: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    status?: "firing" | "resolved";
    startsAt?: string;
  }[];
  groupKey?: string;
  receiver?: string;
  groupLabels?: Record<string, string>;
}) {
  const alerts = options.alerts.map((a) => ({
    status: a.status ?? "firing",
    labels: { alertname: a.name, ...a.labels },
    annotations: a.annotations ?? {},
    startsAt: a.startsAt ?? "2026-11-22T03:00:00.000Z",
    endsAt: a.status === "resolved" ? "2026-11-22T03:30:00.000Z" : "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example:9090/graph?g0.expr=up",
  }));
  return {
    version: "4",
    groupKey: options.groupKey ?? `{}:{alertname="${options.alerts[0]?.name ?? ""}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: options.receiver ?? "aiwatch",
    groupLabels: options.groupLabels ?? { alertname: options.alerts[0]?.name ?? "" },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts,
  };
}

export function notification(alerts: Alert[], extra: Partial<Notification> = {}): Notification {
  return {
    receiver: "aiwatch",
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    groupKey: "{}:{}",
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    truncatedAlerts: 0,
    alerts,
    ...extra,
  };
}

/**
 * What the receiver accepts for a group `{alertname=name}` with one firing alert
 * (fingerprint `fp-<name>`), received at `receivedAt`: as the store and the writer get it.
 */
export function firingRecord(name: string, receivedAt: number): AcceptRecord {
  const n = notification(
    [
      {
        status: "firing",
        labels: { alertname: name },
        annotations: {},
        startsAt: "2026-11-22T03:00:00.000Z",
        fingerprint: `fp-${name}`,
      },
    ],
    { groupKey: `{}:{alertname="${name}"}` },
  );
  return { ...recordOf(n), receivedAt };
}
