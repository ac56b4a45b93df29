import type { WebhookPayload } from "./payload-schema.js";
import { WEBHOOK_PAYLOAD_VERSION } from "./payload-schema.js";
import { isRfc3339 } from "./rfc3339.js";

/**
 * True only for a body that `webhookPayloadSchema` accepts as it is: the schema's rules,
 * checked without building its output. zod's parse copies every label and annotation map
 * it validates (about 7.5 KB and 15 µs for a webhook of three alerts), and a copy the
 * receiver then copies again while normalising. Anything this does not pass, valid or
 * not, goes through the schema, which stays the one source of every error message; so
 * each rule here is the same as the schema's or stricter (a safe integer, an object whose
 * prototype is Object's or none), never looser.
 */
export function isPlainValidPayload(body: unknown): body is WebhookPayload {
  if (!isPlainRecord(body)) return false;
  const alerts = body["alerts"];
  if (
    body["version"] !== WEBHOOK_PAYLOAD_VERSION ||
    !isStatus(body["status"]) ||
    typeof body["receiver"] !== "string" ||
    !isOptionalString(body["groupKey"]) ||
    !isOptionalString(body["externalURL"]) ||
    !isOptionalCount(body["truncatedAlerts"]) ||
    !isOptionalLabelMap(body["groupLabels"]) ||
    !isOptionalLabelMap(body["commonLabels"]) ||
    !isOptionalLabelMap(body["commonAnnotations"]) ||
    !Array.isArray(alerts) ||
    alerts.length === 0
  )
    return false;
  for (const alert of alerts as unknown[]) if (!isPlainValidAlert(alert)) return false;
  return true;
}

function isPlainValidAlert(alert: unknown): boolean {
  return (
    isPlainRecord(alert) &&
    isStatus(alert["status"]) &&
    isLabelMap(alert["labels"]) &&
    isOptionalLabelMap(alert["annotations"]) &&
    isTimestamp(alert["startsAt"]) &&
    (alert["endsAt"] === undefined || isTimestamp(alert["endsAt"])) &&
    isOptionalString(alert["generatorURL"]) &&
    isOptionalString(alert["fingerprint"])
  );
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A map of strings, as the schema's `labelMap` reads it. A `__proto__` key (JSON.parse makes
 * it an own property) is left to the schema, which drops it; symbol keys, which it refuses,
 * too.
 */
function isLabelMap(value: unknown): boolean {
  if (!isPlainRecord(value) || Object.prototype.hasOwnProperty.call(value, "__proto__"))
    return false;
  for (const key in value) if (typeof value[key] !== "string") return false;
  return Object.getOwnPropertySymbols(value).length === 0;
}

function isOptionalLabelMap(value: unknown): boolean {
  return value === undefined || isLabelMap(value);
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

function isOptionalCount(value: unknown): boolean {
  return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
}

function isStatus(value: unknown): boolean {
  return value === "firing" || value === "resolved";
}

/** The schema's `timestamp`. */
function isTimestamp(value: unknown): boolean {
  return typeof value === "string" && isRfc3339(value);
}
