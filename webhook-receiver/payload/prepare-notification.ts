import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import { describeJsonSyntaxError } from "../../core/diagnostics/json-syntax-error.js";
import { dedupKey } from "./dedup-key.js";
import type { Notification } from "./notification.js";
import type { PayloadErrorCode } from "./parse-payload.js";
import { parseWebhookPayload } from "./parse-payload.js";
import { checkPayloadLimits } from "./payload-limits.js";
import type { PayloadLimits, PayloadLimitViolation } from "./payload-limits.js";

/**
 * What storing a notification needs, computed once where the body was parsed: the
 * normalised notification serialised for the database, and the keys it is found by.
 */
export interface NotificationRecord {
  /**
   * The normalised notification as JSON: text, or its UTF-8 bytes when the payload thread
   * prepared it (a large body). The bytes go on to the store's thread or socket as they
   * are: a string crossing from a thread is copied on the event loop, 7-10 ms for 3 MB.
   */
  readonly payload: string | Uint8Array;
  readonly receiver: string;
  readonly groupKey: string;
  readonly status: string;
  readonly dedupKey: string;
}

/** Why a webhook body is refused, in the terms of the HTTP answer. */
export type BodyRefusal =
  | { readonly kind: "invalid-json"; readonly message: string }
  | { readonly kind: "limit-exceeded"; readonly violation: PayloadLimitViolation }
  | {
      readonly kind: "invalid-payload" | "unsupported-version";
      readonly diagnostics: readonly Diagnostic<PayloadErrorCode>[];
    };

export type PreparedBody =
  | {
      readonly ok: true;
      readonly notification: Notification;
      readonly record: NotificationRecord;
    }
  | { readonly ok: false; readonly refusal: BodyRefusal };

/**
 * A webhook body, from its bytes to what the store keeps: JSON decoding, the work limits
 * (before anything that grows with what they bound), validation, normalisation, the
 * dedup key and the serialised payload. Pure, so it runs the same on the event loop (small
 * bodies) and in the payload thread (large ones, payload-thread.ts).
 */
export function prepareBody(bytes: Uint8Array, limits: PayloadLimits): PreparedBody {
  const decoded = decodeJson(bytes);
  if (!decoded.ok)
    return { ok: false, refusal: { kind: "invalid-json", message: decoded.message } };
  return prepareDecoded(decoded.value, limits);
}

/** The same, for a body already decoded. */
export function prepareDecoded(body: unknown, limits: PayloadLimits): PreparedBody {
  const violation = checkPayloadLimits(body, limits);
  if (violation) return { ok: false, refusal: { kind: "limit-exceeded", violation } };
  const parsed = parseWebhookPayload(body);
  if (!parsed.ok)
    return {
      ok: false,
      refusal: {
        kind: parsed.reason === "unsupported_version" ? "unsupported-version" : "invalid-payload",
        diagnostics: parsed.diagnostics,
      },
    };
  return { ok: true, notification: parsed.notification, record: recordOf(parsed.notification) };
}

export function recordOf(notification: Notification): NotificationRecord {
  return {
    payload: JSON.stringify(notification),
    receiver: notification.receiver,
    groupKey: notification.groupKey,
    status: notification.status,
    dedupKey: dedupKey(notification),
  };
}

/** The size of a body read in chunks. */
export function byteLength(chunks: readonly Uint8Array[]): number {
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  return length;
}

/** The body in one buffer (the parser's input). */
export function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const bytes = new Uint8Array(byteLength(chunks));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * JSON text as RFC 8259 wants it on the wire: UTF-8 (a byte-order mark is skipped, as
 * body-parser does); an empty body is an empty object, so validation names what is
 * missing instead of calling it malformed.
 */
export function decodeJson(
  bytes: Uint8Array,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (bytes.length === 0) return { ok: true, value: {} };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, message: "the body is not valid UTF-8" };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: describeJsonSyntaxError(text, error) };
  }
}
