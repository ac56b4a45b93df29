import { parentPort, workerData } from "node:worker_threads";
import { prepareInboxWrites } from "./inbox-writes.js";
import type { AcceptRecord, InboxClaim, RouteRecord } from "./inbox-writes.js";
import { openDatabase } from "./open-database.js";
import { prepareOutboxWrites } from "./outbox-writes.js";
import type { OutboxWrite } from "./outbox-writes.js";

/**
 * The writer thread: owns the connection that commits accepted notifications, routing
 * results and delivery records. Commits (and their fsync) run here, so the event loop keeps
 * reading requests meanwhile.
 *
 * Group commit: everything that arrived while the previous round ran is written in the
 * next round, each request in a savepoint of its own (one failing rolls back only
 * itself): first every acceptance in one transaction, answered as soon as it commits,
 * then the routing and delivery records in a second one. With a commit per request,
 * acceptances queued behind routing and outbox commits, each with its own fsync; with
 * one transaction for the whole round, a 200 waited for other notifications' routing. The same script runs a second thread that only
 * checkpoints the WAL.
 */
type Request =
  | {
      seq: number;
      kind: "accept";
      records: AcceptRecord[];
      windowStart: number;
      claim?: InboxClaim;
    }
  | { seq: number; kind: "route"; records: RouteRecord[]; now: number }
  | { seq: number; kind: "outbox"; writes: OutboxWrite[] }
  | { seq: number; kind: "close" };

type Reply =
  | { seq: number; ok: true; result?: unknown }
  | { seq: number; ok: false; message: string; code?: string };

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

let queue: Request[] = [];
let scheduled = false;

parentPort?.on("message", (request: Request) => {
  if (request.kind === "close") {
    // Whatever was queued before the close is committed first.
    flush();
    clearInterval(checkpoint);
    if (role === "checkpointer") db.pragma("wal_checkpoint(PASSIVE)");
    db.close();
    parentPort?.postMessage({ seq: request.seq, ok: true });
    parentPort?.close();
    return;
  }
  queue.push(request);
  if (!scheduled) {
    scheduled = true;
    // Messages already posted are delivered before this runs: they join the round.
    setImmediate(flush);
  }
});

function flush(): void {
  scheduled = false;
  if (queue.length === 0) return;
  const round = queue;
  queue = [];
  // Acceptances commit first, in a transaction of their own, and are answered before the
  // routing and outbox records of the round are written: a 200 waits for its own fsync,
  // never for another notification's routing, incident filing or delivery records.
  commit(round.filter((r) => r.kind === "accept"));
  commit(round.filter((r) => r.kind !== "accept"));
}

/** One transaction for `requests`, each in a savepoint of its own; then every reply. */
function commit(requests: readonly Request[]): void {
  if (requests.length === 0) return;
  let replies: Reply[] = [];
  const run = db.transaction(() => {
    replies = requests.map(apply);
  });
  try {
    run.immediate();
  } catch (error) {
    // The commit itself failed (disk full, I/O error): nothing of these requests is stored.
    replies = requests.map((request) => failure(request.seq, error));
  }
  for (const reply of replies) parentPort?.postMessage(reply);
}

/** One request in a savepoint of the round's transaction (better-sqlite3 nests them so). */
function apply(request: Request): Reply {
  try {
    switch (request.kind) {
      case "accept":
        return {
          seq: request.seq,
          ok: true,
          result: writes.accept(request.records, request.windowStart, request.claim),
        };
      case "route":
        return {
          seq: request.seq,
          ok: true,
          result: writes.route(request.records, request.now),
        };
      case "outbox":
        outbox(request.writes);
        return { seq: request.seq, ok: true };
      case "close":
        return { seq: request.seq, ok: true };
    }
  } catch (error) {
    return failure(request.seq, error);
  }
}

function failure(seq: number, error: unknown): Reply {
  return {
    seq,
    ok: false,
    message: (error as Error).message,
    code: (error as { code?: string }).code,
  };
}
