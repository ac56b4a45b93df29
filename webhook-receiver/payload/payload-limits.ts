import { formatFieldPath } from "../../core/diagnostics/format.js";

/**
 * Bounds on the work one webhook may cause, checked on the decoded body before anything
 * else looks at it (validation, fingerprints, storage, rendering all grow with these).
 * The body-size limit alone does not bound the work: a 740 KB body can hold one alert
 * with 50,000 labels.
 */
export interface PayloadLimits {
  readonly maxAlertsPerGroup: number;
  readonly maxLabelsPerAlert: number;
  /** UTF-16 length of one label's name plus value (labels, groupLabels, commonLabels). */
  readonly maxLabelLength: number;
  /** UTF-16 length of one annotation's name plus value. */
  readonly maxAnnotationLength: number;
}

/** The limit's name in receiver.yaml, as a refusal names it. */
export type PayloadLimitName =
  "max_alerts_per_group" | "max_labels_per_alert" | "max_label_length" | "max_annotation_length";

export interface PayloadLimitViolation {
  readonly limit: PayloadLimitName;
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Defaults: far above what Alertmanager groups of real rules carry (tens of labels, short
 * values, annotations of a few hundred characters). Alertmanager does not retry a 4xx, so
 * a refused group is lost: the alert count stays high enough for the large groups a
 * cluster-wide outage makes (6,000 alerts of one scrape failure, about 2.5 MB), which the
 * 4 MiB body limit bounds anyway; with the body prepared in the payload thread, the
 * largest payload they allow never stalls the event loop for 50 ms.
 */
export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = {
  maxAlertsPerGroup: 10_000,
  maxLabelsPerAlert: 64,
  maxLabelLength: 1024,
  maxAnnotationLength: 16 * 1024,
};

/**
 * The first limit a decoded body exceeds, or undefined. Only looks at shapes it expects
 * (anything else is left to schema validation, which reports it with its path).
 */
export function checkPayloadLimits(
  body: unknown,
  limits: PayloadLimits,
): PayloadLimitViolation | undefined {
  if (!isRecord(body)) return undefined;
  const alerts = body["alerts"];
  if (Array.isArray(alerts) && alerts.length > limits.maxAlertsPerGroup)
    return {
      limit: "max_alerts_per_group",
      path: ["alerts"],
      message: `alerts: ${alerts.length} alerts in one group, more than limits.max_alerts_per_group (${limits.maxAlertsPerGroup})`,
    };
  const fields = checkText(body, [], GROUP_TEXT_FIELDS, limits);
  if (fields) return fields;
  for (const key of ["groupLabels", "commonLabels"] as const) {
    const found = checkMap(body[key], [key], limits.maxLabelsPerAlert, limits.maxLabelLength);
    if (found) return found;
  }
  const annotations = checkMap(
    body["commonAnnotations"],
    ["commonAnnotations"],
    limits.maxLabelsPerAlert,
    limits.maxAnnotationLength,
    "max_annotation_length",
  );
  if (annotations) return annotations;
  if (!Array.isArray(alerts)) return undefined;
  for (const [index, alert] of (alerts as unknown[]).entries()) {
    if (!isRecord(alert)) continue;
    const text = checkText(alert, ["alerts", index], ALERT_TEXT_FIELDS, limits);
    if (text) return text;
    const labels = checkMap(
      alert["labels"],
      ["alerts", index, "labels"],
      limits.maxLabelsPerAlert,
      limits.maxLabelLength,
    );
    if (labels) return labels;
    const notes = checkMap(
      alert["annotations"],
      ["alerts", index, "annotations"],
      limits.maxLabelsPerAlert,
      limits.maxAnnotationLength,
      "max_annotation_length",
    );
    if (notes) return notes;
  }
  return undefined;
}

/**
 * The other strings a webhook carries are bounded too (they are stored, keyed and shown):
 * names like a label (max_label_length), free text like an annotation
 * (max_annotation_length; a generator URL holds a whole PromQL expression).
 */
const GROUP_TEXT_FIELDS = [
  ["receiver", "max_label_length"],
  ["status", "max_label_length"],
  ["groupKey", "max_annotation_length"],
  ["externalURL", "max_annotation_length"],
] as const;
const ALERT_TEXT_FIELDS = [
  ["status", "max_label_length"],
  ["fingerprint", "max_label_length"],
  ["generatorURL", "max_annotation_length"],
] as const;

function checkText(
  record: Record<string, unknown>,
  path: readonly (string | number)[],
  fields: readonly (readonly [string, "max_label_length" | "max_annotation_length"])[],
  limits: PayloadLimits,
): PayloadLimitViolation | undefined {
  for (const [field, limit] of fields) {
    const value = record[field];
    if (typeof value !== "string") continue;
    const max = limit === "max_label_length" ? limits.maxLabelLength : limits.maxAnnotationLength;
    if (value.length > max)
      return {
        limit,
        path: [...path, field],
        message: `${formatFieldPath([...path, field])}: ${value.length} characters, more than limits.${limit} (${max})`,
      };
  }
  return undefined;
}

function checkMap(
  map: unknown,
  path: readonly (string | number)[],
  maxEntries: number,
  maxLength: number,
  lengthLimit: PayloadLimitName = "max_label_length",
): PayloadLimitViolation | undefined {
  if (!isRecord(map)) return undefined;
  const where = formatFieldPath(path);
  let count = 0;
  for (const name in map) {
    if (!Object.hasOwn(map, name)) continue;
    if (++count > maxEntries)
      return {
        limit: "max_labels_per_alert",
        path,
        message: `${where}: more than limits.max_labels_per_alert (${maxEntries}) entries`,
      };
    const value = map[name];
    const length = name.length + (typeof value === "string" ? value.length : 0);
    if (length > maxLength)
      return {
        limit: lengthLimit,
        path: [...path, name],
        message: `${formatFieldPath([...path, shorten(name)])}: name and value are ${length} characters, more than limits.${lengthLimit} (${maxLength})`,
      };
  }
  return undefined;
}

/** A name in a refusal stays readable even when the name itself is what is too long. */
function shorten(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 61)}...`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
