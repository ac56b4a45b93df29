import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { transferableBuffer } from "../../core/transferable-buffer.js";
import type { Alert } from "./notification.js";
import { parseWebhookPayloadInSlices } from "./parse-payload.js";
import type { PayloadLimits } from "./payload-limits.js";
import { checkPayloadLimits } from "./payload-limits.js";
import type { PayloadReply, PayloadRequest } from "./payload-thread.js";
import {
  byteLength,
  decodeJson,
  joinChunks,
  prepareBody,
  recordOf,
} from "./prepare-notification.js";
import type { PreparedBody } from "./prepare-notification.js";

export interface PayloadParser {
  /**
   * Turns a webhook body, the chunks it was read in, into what the store keeps, or says
   * why it is refused. The chunks are handed over: they may be transferred to a thread.
   */
  prepare(chunks: readonly Uint8Array[], limits: PayloadLimits): Promise<PreparedBody>;
  close(): Promise<void>;
}

/**
 * Below this size a body is handled on the event loop: about a millisecond, less than
 * handing it to a thread and back (a webhook of a few alerts is 2-10 KB). Above it,
 * decoding, validating, normalising and serialising grow with the body: a 3.5 MB group of
 * 1,000 alerts within the limits takes 90-300 ms of CPU, far over the 50 ms the event loop
 * may be blocked.
 */
export const INLINE_BELOW_BYTES = 32 * 1024;

/**
 * Prepares webhook bodies: small ones at once, large ones in the payload thread
 * (payload-thread.ts), whose alerts come back a slice per event-loop turn. Without the
 * compiled thread script (sources run by a test runner before a build), large bodies are
 * validated a slice at a time on the event loop instead: correct, with longer turns.
 */
export function startPayloadParser(inlineBelowBytes = INLINE_BELOW_BYTES): PayloadParser {
  const script = compiledThreadPath();
  let thread: PayloadThread | undefined;
  return {
    prepare: (chunks, limits) => {
      if (byteLength(chunks) < inlineBelowBytes)
        return Promise.resolve(prepareBody(joinChunks(chunks), limits));
      if (!script) return prepareInSlices(joinChunks(chunks), limits);
      if (!thread || thread.failed()) thread = startThread(script);
      return thread.prepare(chunks, limits);
    },
    close: () => thread?.close() ?? Promise.resolve(),
  };
}

interface PayloadThread {
  prepare(chunks: readonly Uint8Array[], limits: PayloadLimits): Promise<PreparedBody>;
  failed(): boolean;
  close(): Promise<void>;
}

interface Waiting {
  resolve: (prepared: PreparedBody) => void;
  reject: (error: Error) => void;
}

function startThread(script: string): PayloadThread {
  const worker = new Worker(script);
  // Only a busy thread keeps the process alive: an idle one never delays an exit.
  worker.unref();
  const waiting = new Map<number, Waiting>();
  let seq = 0;
  let gone = false;
  const failAll = (error: Error): void => {
    gone = true;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  worker.on("error", failAll);
  worker.on("exit", () => failAll(new Error("the payload thread exited")));
  worker.on("message", (reply: PayloadReply) => {
    const entry = waiting.get(reply.seq);
    if (!entry) return;
    waiting.delete(reply.seq);
    if (waiting.size === 0) worker.unref();
    switch (reply.kind) {
      case "refused":
        entry.resolve({ ok: false, refusal: reply.refusal });
        return;
      case "failed":
        entry.reject(new Error(`the payload thread failed: ${reply.message}`));
        return;
      case "prepared":
        void assemble(reply.alertSlices).then(
          (alerts) =>
            entry.resolve({
              ok: true,
              notification: { ...reply.group, alerts },
              record: reply.record,
            }),
          entry.reject,
        );
    }
  });
  return {
    prepare: (chunks, limits) =>
      new Promise<PreparedBody>((resolve, reject) => {
        if (gone) {
          reject(new Error("the payload thread exited"));
          return;
        }
        const id = ++seq;
        waiting.set(id, { resolve, reject });
        worker.ref();
        // Handed over, not copied: the body is not used here again. Joining the chunks
        // here would write a fresh buffer of the body's size, and the first write to each
        // page of it is a page fault: 9.6 ms for 3.6 MB on a virtual machine whose host
        // backs guest memory lazily (measured here), in one turn of the event loop. Node
        // reads each chunk into a buffer of its own; one that shares its buffer is copied.
        const sent = chunks.map((chunk) =>
          transferableBuffer(chunk)
            ? chunk
            : // A copy (a Buffer's slice() would be a view of the same memory).
              new Uint8Array(chunk),
        );
        const request: PayloadRequest = { seq: id, chunks: sent, limits };
        worker.postMessage(request, [...new Set(sent.map((chunk) => chunk.buffer as ArrayBuffer))]);
      }),
    failed: () => gone,
    close: async () => {
      if (!gone) await worker.terminate();
    },
  };
}

const decoder = new TextDecoder();

/** Alerts from their UTF-8 JSON slices, one slice per event-loop turn. */
async function assemble(slices: readonly Uint8Array[]): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const [index, slice] of slices.entries()) {
    if (index > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const alert of JSON.parse(decoder.decode(slice)) as Alert[]) alerts.push(alert);
  }
  return alerts;
}

/** The fallback without the thread: validation one slice of alerts per turn. */
async function prepareInSlices(bytes: Uint8Array, limits: PayloadLimits): Promise<PreparedBody> {
  const decoded = decodeJson(bytes);
  if (!decoded.ok)
    return { ok: false, refusal: { kind: "invalid-json", message: decoded.message } };
  const violation = checkPayloadLimits(decoded.value, limits);
  if (violation) return { ok: false, refusal: { kind: "limit-exceeded", violation } };
  const parsed = await parseWebhookPayloadInSlices(decoded.value);
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

function compiledThreadPath(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const candidate = here.endsWith(".ts")
    ? here.replace(
        /([/\\])webhook-receiver([/\\]payload[/\\])payload-parser\.ts$/,
        "$1dist$1webhook-receiver$2payload-thread.js",
      )
    : here.replace(/payload-parser\.js$/, "payload-thread.js");
  return candidate !== here && existsSync(candidate) ? candidate : undefined;
}
