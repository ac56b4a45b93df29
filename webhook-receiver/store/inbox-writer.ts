import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { transferableBuffer } from "../../core/transferable-buffer.js";
import { prepareInboxWrites } from "./inbox-writes.js";
import type {
  AcceptRecord,
  AcceptResult,
  InboxClaim,
  RouteOutcome,
  RouteRecord,
} from "./inbox-writes.js";
import type { SqliteDatabase } from "./open-database.js";
import { prepareOutboxWrites } from "./outbox-writes.js";
import type { OutboxWrite } from "./outbox-writes.js";

export interface InboxWriter {
  /** Whether commits run in the writer thread (false: on the event loop). */
  readonly threaded: boolean;
  accept(
    records: readonly AcceptRecord[],
    windowStart: number,
    claim?: InboxClaim,
  ): Promise<AcceptResult[]>;
  route(records: readonly RouteRecord[], now: number): Promise<RouteOutcome>;
  /** The delivery worker's records of a send, in one transaction. */
  outbox(writes: readonly OutboxWrite[]): Promise<void>;
  /** Why no write can succeed any more (the thread or its connection is gone), if so. */
  failure(): string | undefined;
  close(): Promise<void>;
}

/**
 * How often the checkpointer thread copies the WAL back. Often, so that what the writer's
 * own checkpoint copies (writer-worker.ts) stays small: in 20 s rounds of the ack bench at
 * 1,000 webhooks a second, 25 ms gave an ack p99 of 7.9-12.8 ms, 100 ms 12.5-13.5 ms.
 */
const CHECKPOINT_MS = 25;

/**
 * Every frequent write of the receiver goes through this: accepted notifications, routing
 * results and the delivery worker's records. Starts the writer thread (writer-worker.ts) when its compiled file is there, and turns
 * the main connection's auto-checkpoint off (the thread checkpoints). Without the
 * compiled file (sources run by a test runner before a build) the same writes run on the
 * event loop with SQLite's auto-checkpoint: correct, only slower.
 */
export function startInboxWriter(
  path: string,
  synchronous: "full" | "normal",
  db: SqliteDatabase,
  checkpointMs = CHECKPOINT_MS,
): InboxWriter {
  const script = path === ":memory:" ? undefined : compiledWorkerPath();
  if (!script) return inThreadWriter(db);
  const worker = new Worker(script, {
    workerData: { path, synchronous, checkpointMs, role: "writer" },
  });
  const checkpointer = new Worker(script, {
    workerData: { path, synchronous, checkpointMs, role: "checkpointer" },
  });
  let checkpointerExited = false;
  checkpointer.on("error", () => undefined);
  checkpointer.on("exit", () => (checkpointerExited = true));
  db.pragma("wal_autocheckpoint = 0");
  let seq = 0;
  let exited = false;
  let closing = false;
  let failure: string | undefined;
  const waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  worker.on(
    "message",
    (reply: { seq: number; ok: boolean; result?: unknown; message?: string; code?: string }) => {
      const entry = waiting.get(reply.seq);
      if (!entry) return;
      waiting.delete(reply.seq);
      if (reply.ok) entry.resolve(reply.result);
      else
        entry.reject(
          Object.assign(new Error(reply.message ?? "storage error"), { code: reply.code }),
        );
    },
  );
  const failAll = (error: Error): void => {
    exited = true;
    if (!closing) failure ??= error.message;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
    db.pragma("wal_autocheckpoint = 1000");
  };
  worker.on("error", (error) => failAll(error));
  worker.on("exit", () => failAll(new Error("the storage writer thread exited")));
  const call = <T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) {
        reject(new Error("the storage writer thread exited"));
        return;
      }
      const id = ++seq;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...message, seq: id }, transfer);
    });
  return {
    threaded: true,
    accept: (records, windowStart, claim) =>
      call<AcceptResult[]>(
        { kind: "accept", records, windowStart, claim },
        payloadBuffers(records),
      ),
    route: (records, now) => call<RouteOutcome>({ kind: "route", records, now }),
    outbox: (writes) => call<void>({ kind: "outbox", writes }),
    failure: () => failure,
    close: async () => {
      closing = true;
      if (!checkpointerExited) {
        const gone = new Promise<void>((resolve) => checkpointer.once("exit", () => resolve()));
        checkpointer.postMessage({ kind: "close", seq: 0 });
        await gone;
      }
      if (exited) return;
      const gone = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      await call<void>({ kind: "close" }).catch(() => undefined);
      await gone;
    },
  };
}

/**
 * The payloads given as bytes (large ones, from the payload thread), to transfer to the
 * writer thread rather than copy: the records are not used here once accepted. A buffer
 * shared with something else (a view into a larger one) is copied instead.
 */
function payloadBuffers(records: readonly AcceptRecord[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { payload } of records) {
    const buffer = typeof payload === "string" ? undefined : transferableBuffer(payload);
    if (buffer) buffers.add(buffer);
  }
  return [...buffers];
}

/** The same writes on the event loop: for short-lived processes (the CLI) and tests. */
export function inThreadWriter(db: SqliteDatabase): InboxWriter {
  const writes = prepareInboxWrites(db);
  const outbox = prepareOutboxWrites(db);
  return {
    threaded: false,
    outbox: (list) => new Promise((resolve) => resolve(outbox(list))),
    accept: (records, windowStart, claim) =>
      new Promise((resolve) => resolve(writes.accept(records, windowStart, claim))),
    route: (records, now) => new Promise((resolve) => resolve(writes.route(records, now))),
    failure: () => (db.open ? undefined : "the storage connection is closed"),
    close: () => Promise.resolve(),
  };
}

function compiledWorkerPath(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const candidate = here.endsWith(".ts")
    ? here.replace(
        /([/\\])webhook-receiver([/\\]store[/\\])inbox-writer\.ts$/,
        "$1dist$1webhook-receiver$2writer-worker.js",
      )
    : here.replace(/inbox-writer\.js$/, "writer-worker.js");
  return candidate !== here && existsSync(candidate) ? candidate : undefined;
}
