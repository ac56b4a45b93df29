import { parentPort } from "node:worker_threads";
import type { Notification } from "./notification.js";
import { prepareBody } from "./prepare-notification.js";
import type { BodyRefusal, NotificationRecord } from "./prepare-notification.js";
import type { PayloadLimits } from "./payload-limits.js";

/** A large webhook body, its bytes handed over (transferred, not copied). */
export interface PayloadRequest {
  readonly seq: number;
  readonly bytes: Uint8Array;
  readonly limits: PayloadLimits;
}

/**
 * The answer to one request: a refusal, or the record to store with the group and its
 * alerts as JSON text, a slice per string. Structured data would be deserialised in one
 * piece when the message arrives (for 1,000 alerts, one long event-loop turn); text is
 * copied at memory speed and parsed a slice per turn (payload-parser.ts).
 */
export type PayloadReply =
  | { readonly seq: number; readonly kind: "refused"; readonly refusal: BodyRefusal }
  | {
      readonly seq: number;
      readonly kind: "prepared";
      readonly record: NotificationRecord;
      readonly group: Omit<Notification, "alerts">;
      readonly alertSlices: readonly string[];
    }
  | { readonly seq: number; readonly kind: "failed"; readonly message: string };

export const ALERTS_PER_SLICE = 50;

/**
 * The payload thread: decodes, checks, validates, normalises and serialises webhook bodies
 * too large to handle on the event loop within its 50 ms budget (payload-parser.ts).
 */
parentPort?.on("message", (request: PayloadRequest) => {
  const post = (reply: PayloadReply): void => parentPort?.postMessage(reply);
  try {
    const prepared = prepareBody(request.bytes, request.limits);
    if (!prepared.ok) {
      post({ seq: request.seq, kind: "refused", refusal: prepared.refusal });
      return;
    }
    const { alerts, ...group } = prepared.notification;
    const alertSlices: string[] = [];
    for (let start = 0; start < alerts.length; start += ALERTS_PER_SLICE)
      alertSlices.push(JSON.stringify(alerts.slice(start, start + ALERTS_PER_SLICE)));
    post({ seq: request.seq, kind: "prepared", record: prepared.record, group, alertSlices });
  } catch (error) {
    post({ seq: request.seq, kind: "failed", message: (error as Error).message });
  }
});
