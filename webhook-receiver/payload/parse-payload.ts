import type { z } from "zod";
import { describeValue, hasPath } from "../../core/config/schema-diagnostics.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import { formatFieldPath } from "../../core/diagnostics/format.js";
import { assembleNotification, normalizeAlert, normalizeNotification } from "./normalize.js";
import type { Alert, Notification } from "./notification.js";
import { isPlainValidPayload } from "./plain-valid-payload.js";
import {
  alertSchema,
  WEBHOOK_PAYLOAD_VERSION,
  webhookGroupSchema,
  webhookPayloadSchema,
} from "./payload-schema.js";

export type PayloadErrorCode =
  "unsupported-version" | "missing-key" | "wrong-type" | "invalid-value";

export type ParsedPayload =
  | { readonly ok: true; readonly notification: Notification }
  | {
      readonly ok: false;
      readonly reason: "unsupported_version" | "invalid_payload";
      readonly diagnostics: readonly Diagnostic<PayloadErrorCode>[];
    };

const SOURCE = "request body";

/**
 * Validates a decoded webhook body and normalises it. Every problem is reported with its
 * field path (`alerts[0].status`), all at once, so a sender can fix its payload in one go.
 */
export function parseWebhookPayload(body: unknown, source = SOURCE): ParsedPayload {
  const refused = checkVersion(body, source);
  if (refused) return refused;
  const input = withAlertStatusFromGroup(body);
  // The common case, a valid payload, skips the schema's copy of it; every error still
  // comes from the schema.
  if (isPlainValidPayload(input)) return { ok: true, notification: normalizeNotification(input) };
  const result = webhookPayloadSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    return {
      ok: false,
      reason: "invalid_payload",
      diagnostics: result.error.issues.map((issue) => toDiagnostic(issue, body, source)),
    };
  }
  return { ok: true, notification: normalizeNotification(result.data) };
}

/**
 * The same result as parseWebhookPayload, computed `sliceSize` alerts per event-loop
 * turn: validating and fingerprinting a group of 1,000 alerts with 48 labels each takes
 * well over 50 ms, which in one turn would hold every other request back.
 */
export async function parseWebhookPayloadInSlices(
  body: unknown,
  sliceSize = 50,
  source = SOURCE,
): Promise<ParsedPayload> {
  const refused = checkVersion(body, source);
  if (refused) return refused;
  const input = withAlertStatusFromGroup(body);
  const group = webhookGroupSchema.safeParse(input, { reportInput: true });
  const diagnostics: Diagnostic<PayloadErrorCode>[] = group.success
    ? []
    : group.error.issues.map((issue) => toDiagnostic(issue, body, source));
  const rawAlerts = isRecord(input) && Array.isArray(input["alerts"]) ? input["alerts"] : [];
  const alerts: Alert[] = [];
  for (let start = 0; start < rawAlerts.length; start += sliceSize) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    for (let i = start; i < Math.min(rawAlerts.length, start + sliceSize); i++) {
      const alert = alertSchema.safeParse(rawAlerts[i], { reportInput: true });
      if (alert.success) alerts.push(normalizeAlert(alert.data));
      else
        diagnostics.push(
          ...alert.error.issues.map((issue) =>
            toDiagnostic({ ...issue, path: ["alerts", i, ...issue.path] }, body, source),
          ),
        );
    }
  }
  if (!group.success || diagnostics.length > 0)
    return { ok: false, reason: "invalid_payload", diagnostics };
  return { ok: true, notification: assembleNotification(group.data, alerts) };
}

function checkVersion(body: unknown, source: string): ParsedPayload | undefined {
  const version = isRecord(body) ? body["version"] : undefined;
  if (version !== undefined && version !== WEBHOOK_PAYLOAD_VERSION) {
    return {
      ok: false,
      reason: "unsupported_version",
      diagnostics: [
        {
          code: "unsupported-version",
          severity: "error",
          message: `version: payload version ${describeValue(version)} is not supported (expected "${WEBHOOK_PAYLOAD_VERSION}", Alertmanager's webhook format)`,
          file: source,
          path: ["version"],
        },
      ],
    };
  }
  return undefined;
}

/**
 * Alerts without their own `status` take the group's. Alertmanager always sends both, but
 * hand-written test payloads of bridges do not (prometheus-msteams' own test request,
 * pkg/card/testdata/prom_post_request.json, has none); the group's status is what those
 * senders mean. Without a valid group status nothing is filled in, and both are reported.
 */
function withAlertStatusFromGroup(body: unknown): unknown {
  if (!isRecord(body)) return body;
  const status = body["status"];
  const alerts = body["alerts"];
  if ((status !== "firing" && status !== "resolved") || !Array.isArray(alerts)) return body;
  if (!alerts.some((a) => isRecord(a) && a["status"] === undefined)) return body;
  return {
    ...body,
    alerts: (alerts as unknown[]).map((a) =>
      isRecord(a) && a["status"] === undefined ? { ...a, status } : a,
    ),
  };
}

function toDiagnostic(
  issue: z.core.$ZodIssue,
  body: unknown,
  source: string,
): Diagnostic<PayloadErrorCode> {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  const where = path.length > 0 ? formatFieldPath(path) : "the payload";
  const at = (code: PayloadErrorCode, message: string): Diagnostic<PayloadErrorCode> => ({
    code,
    severity: "error",
    message,
    file: source,
    path,
  });
  if (path.length > 0 && !hasPath(body, path)) {
    const parent = path.slice(0, -1);
    return at(
      "missing-key",
      `${where}: missing required field "${String(path[path.length - 1])}" in ${parent.length > 0 ? formatFieldPath(parent) : "the payload"}`,
    );
  }
  switch (issue.code) {
    case "invalid_type":
      return at(
        "wrong-type",
        `${where}: expected ${describeExpected(issue.expected)}, got ${describeValue(issue.input)}`,
      );
    case "invalid_value":
      return at(
        "invalid-value",
        `${where}: expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}, got ${describeValue(issue.input)}`,
      );
    default:
      return at("invalid-value", `${where}: ${issue.message}`);
  }
}

function describeExpected(expected: string): string {
  if (expected === "array") return "a list";
  if (expected === "object" || expected === "record") return "a mapping";
  return `a ${expected}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
