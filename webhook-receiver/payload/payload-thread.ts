import { parentPort } from "node:worker_threads";
import { transferableBuffer } from "../../core/transferable-buffer.js";
import type { Notification } from "./notification.js";
import { sliceAlerts } from "./alert-slices.js";
import { joinChunks, prepareBody } from "./prepare-notification.js";
import type { BodyRefusal, NotificationRecord } from "./prepare-notification.js";
import type { PayloadLimits } from "./payload-limits.js";

/** A large webhook body, the chunks it was read in handed over (transferred, not copied). */
export interface PayloadRequest {
  readonly seq: number;
  readonly chunks: readonly Uint8Array[];
  readonly limits: PayloadLimits;
}

/**
 * The answer to one request: a refusal, or the record to store with the group and its
 * alerts as UTF-8 JSON, a slice per buffer. Structured data would be deserialised in one
 * piece when the message arrives (for 1,000 alerts, one long event-loop turn), and so
 * would strings: 7-10 ms of the event loop's CPU for 3 MB, measured. Buffers are
 * transferred, not copied; the alerts are decoded and parsed a slice per turn
 * (payload-parser.ts), and the record's payload goes to the store as bytes.
 */
export type PayloadReply =
  | { readonly seq: number; readonly kind: "refused"; readonly refusal: BodyRefusal }
  | {
      readonly seq: number;
      readonly kind: "prepared";
      readonly record: NotificationRecord & { readonly payload: Uint8Array };
      readonly group: Omit<Notification, "alerts">;
      readonly alertSlices: readonly Uint8Array[];
    }
  | { readonly seq: number; readonly kind: "failed"; readonly message: string };

const encoder = new TextEncoder();

/**
 * The payload thread: decodes, checks, validates, normalises and serialises webhook bodies
 * too large to handle on the event loop within its 50 ms budget (payload-parser.ts).
 */
parentPort?.on("message", (request: PayloadRequest) => {
  const post = (reply: PayloadReply, transfer: ArrayBuffer[] = []): void =>
    parentPort?.postMessage(reply, transfer);
  try {
    const prepared = prepareBody(joinChunks(request.chunks), request.limits);
    if (!prepared.ok) {
      post({ seq: request.seq, kind: "refused", refusal: prepared.refusal });
      return;
    }
    const { alerts, ...group } = prepared.notification;
    const alertSlices = sliceAlerts(alerts);
    const { payload } = prepared.record;
    const record = {
      ...prepared.record,
      payload: typeof payload === "string" ? encoder.encode(payload) : payload,
    };
    post(
      { seq: request.seq, kind: "prepared", record, group, alertSlices },
      [record.payload, ...alertSlices].flatMap((bytes) => transferableBuffer(bytes) ?? []),
    );
  } catch (error) {
    post({ seq: request.seq, kind: "failed", message: (error as Error).message });
  }
});
