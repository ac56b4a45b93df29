import { z } from "zod";
import { isRfc3339 } from "./rfc3339.js";

/**
 * Alertmanager's webhook payload, version 4, as documented in
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config. Unknown fields
 * are accepted (newer Alertmanagers add some); what later stages need is required. Fields
 * that real senders omit (bridges' test payloads lack groupKey, commonLabels, fingerprint)
 * are optional and derived during normalisation.
 */
export const WEBHOOK_PAYLOAD_VERSION = "4";

const labelMap = z.record(z.string(), z.string());
const status = z.enum(["firing", "resolved"]);
const timestamp = z
  .string()
  .refine(isRfc3339, { message: "expected an RFC 3339 time such as 2026-11-22T10:30:00Z" });

export const alertSchema = z.looseObject({
  status,
  labels: labelMap,
  annotations: labelMap.optional(),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const webhookPayloadSchema = z.looseObject({
  version: z.literal(WEBHOOK_PAYLOAD_VERSION),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status,
  receiver: z.string(),
  groupLabels: labelMap.optional(),
  commonLabels: labelMap.optional(),
  commonAnnotations: labelMap.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema).min(1, { message: "expected at least one alert" }),
});

export type WebhookPayload = z.output<typeof webhookPayloadSchema>;

/** The group without its alerts, which are checked one slice at a time (parse-payload.ts). */
export const webhookGroupSchema = webhookPayloadSchema.extend({
  alerts: z.array(z.unknown()).min(1, { message: "expected at least one alert" }),
});
