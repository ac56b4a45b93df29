import { labelSetFingerprint } from "./fingerprint.js";
import type { Alert, Notification } from "./notification.js";
import type { WebhookPayload } from "./payload-schema.js";

/**
 * Turns a validated payload into a Notification, smoothing Alertmanager's quirks:
 * - `receiver` arrives regex-quoted (Alertmanager applies regexp.QuoteMeta so the name can
 *   be pasted into a silence matcher): `team\.a` becomes `team.a`;
 * - firing alerts carry a zero `endsAt` (0001-01-01) or a future one that moves on every
 *   re-send; neither is an end, so it is dropped;
 * - timestamps with nanoseconds are cut to milliseconds;
 * - missing fingerprints, common labels and group key are derived the way Alertmanager
 *   derives them.
 */
export function normalizeNotification(payload: WebhookPayload): Notification {
  return assembleNotification(payload, payload.alerts.map(normalizeAlert));
}

/** One alert: endsAt and timestamps cleaned up, fingerprint derived when missing. */
export function normalizeAlert(a: WebhookPayload["alerts"][number]): Alert {
  const endsAt = a.endsAt !== undefined ? toMillisIso(a.endsAt) : undefined;
  const keepEnd = a.status === "resolved" && endsAt !== undefined && !isZeroTime(endsAt);
  return {
    status: a.status,
    labels: { ...a.labels },
    annotations: { ...(a.annotations ?? {}) },
    startsAt: toMillisIso(a.startsAt),
    ...(keepEnd ? { endsAt } : {}),
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
    fingerprint: a.fingerprint || labelSetFingerprint(a.labels),
  };
}

/** The group around its normalised alerts. */
export function assembleNotification(
  payload: Pick<
    WebhookPayload,
    | "receiver"
    | "status"
    | "groupKey"
    | "groupLabels"
    | "commonLabels"
    | "commonAnnotations"
    | "externalURL"
    | "truncatedAlerts"
  >,
  alerts: Alert[],
): Notification {
  const receiver = unquoteMeta(payload.receiver);
  const groupLabels = { ...(payload.groupLabels ?? {}) };
  return {
    receiver,
    status: payload.status,
    groupKey: payload.groupKey ?? `{}:${formatLabelSet(groupLabels)}`,
    groupLabels,
    commonLabels: { ...(payload.commonLabels ?? commonEntries(alerts.map((a) => a.labels))) },
    commonAnnotations: {
      ...(payload.commonAnnotations ?? commonEntries(alerts.map((a) => a.annotations))),
    },
    ...(payload.externalURL ? { externalURL: payload.externalURL } : {}),
    truncatedAlerts: payload.truncatedAlerts ?? 0,
    alerts,
  };
}

/** Undoes Go's regexp.QuoteMeta, which escapes `\.+*?()|[]{}^$`. */
export function unquoteMeta(text: string): string {
  return text.replace(/\\([\\.+*?()|[\]{}^$])/g, "$1");
}

/** `{alertname="X", job="y"}`, the form Alertmanager prints label sets in group keys. */
export function formatLabelSet(labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name] ?? "")}`);
  return `{${parts.join(", ")}}`;
}

function commonEntries(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(first)) {
    if (rest.every((m) => m[key] === value)) out[key] = value;
  }
  return out;
}

/**
 * A UTC time whose every field is in range for any month (days up to 28): what Go's
 * RFC 3339 output for a UTC time looks like, nearly always. Its fraction is cut to
 * milliseconds as Date.parse cuts it; anything else (offsets, days 29 to 31, which Date
 * rolls into the next month when the month is shorter) goes through Date.
 */
const PLAIN_UTC =
  /^(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)(?:\.(\d+))?Z$/;

function toMillisIso(text: string): string {
  const plain = PLAIN_UTC.exec(text);
  if (plain) return `${plain[1] ?? ""}.${(plain[2] ?? "").padEnd(3, "0").slice(0, 3)}Z`;
  return new Date(Date.parse(text)).toISOString();
}

function isZeroTime(iso: string): boolean {
  return Date.parse(iso) <= 0;
}
