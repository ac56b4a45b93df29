import { parentPort, workerData } from "node:worker_threads";
import { prepareInboxWrites } from "./inbox-writes.js";
import type { AcceptRecord, RouteRecord } from "./inbox-writes.js";
import { openDatabase } from "./open-database.js";
import { prepareOutboxWrites } from "./outbox-writes.js";
import type { OutboxWrite } from "./outbox-writes.js";

/**
 * The writer thread: owns the connection that commits accepted notifications, routing
 * results and delivery records. Commits (and their fsync) run here, so the event loop keeps
 * reading requests meanwhile, and the next batch collects everything that arrived during
 * the current commit (group commit). The same script runs a second thread that only
 * checkpoints the WAL.
 */
type Request =
  | { seq: number; kind: "accept"; records: AcceptRecord[]; windowStart: number }
  | { seq: number; kind: "route"; records: RouteRecord[]; now: number }
  | { seq: number; kind: "outbox"; writes: OutboxWrite[] }
  | { seq: number; kind: "close" };

const { path, synchronous, checkpointMs, role } = workerData as {
  path: string;
  synchronous: "full" | "normal";
  checkpointMs: number;
  /** "writer" commits; "checkpointer" only copies the WAL back, in a thread of its own. */
  role: "writer" | "checkpointer";
};
const db = openDatabase(path, synchronous);
db.pragma("wal_autocheckpoint = 0");
const writes = prepareInboxWrites(db);
const outbox = prepareOutboxWrites(db);
// A checkpoint copies pages and fsyncs the database file; under I/O contention that takes
// hundreds of milliseconds. In its own thread it never delays a commit (WAL lets one
// connection checkpoint while another writes).
const checkpoint =
  role === "checkpointer"
    ? setInterval(() => {
        try {
          db.pragma("wal_checkpoint(PASSIVE)");
        } catch {
          // Busy: the next interval checkpoints what this one could not.
        }
      }, checkpointMs)
    : undefined;

parentPort?.on("message", (request: Request) => {
  try {
    switch (request.kind) {
      case "accept":
        parentPort?.postMessage({
          seq: request.seq,
          ok: true,
          result: writes.accept(request.records, request.windowStart),
        });
        return;
      case "route":
        parentPort?.postMessage({
          seq: request.seq,
          ok: true,
          result: writes.route(request.records, request.now),
        });
        return;
      case "outbox":
        outbox(request.writes);
        parentPort?.postMessage({ seq: request.seq, ok: true });
        return;
      case "close":
        clearInterval(checkpoint);
        if (role === "checkpointer") db.pragma("wal_checkpoint(PASSIVE)");
        db.close();
        parentPort?.postMessage({ seq: request.seq, ok: true });
        parentPort?.close();
        return;
    }
  } catch (error) {
    parentPort?.postMessage({
      seq: request.seq,
      ok: false,
      message: (error as Error).message,
      code: (error as { code?: string }).code,
    });
  }
});
