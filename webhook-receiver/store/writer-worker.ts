import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { idleOsThread, lowerOsThreadPriority, nameOsThread } from "../../core/os-thread.js";
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
 * Group commit: everything that arrived while the previous commit ran is written in the
 * next one, each request in a savepoint of its own (one failing rolls back only itself).
 * Acceptances go first, in a transaction of their own, answered as soon as it commits;
 * routing and delivery records follow a few requests per transaction, and an acceptance
 * that arrives meanwhile cuts that transaction short and commits in it, so it never waits
 * for more than a slice of other work. (With a commit per request, acceptances queued
 * behind routing and outbox commits, each with its own fsync; with one transaction for the
 * whole round, a 200 waited for other notifications' routing and incident filing.) The
 * same script runs a second thread that only checkpoints the WAL.
 */
type Request =
  | {
      seq: number;
      kind: "accept";
      records: AcceptRecord[];
      windowStart: number;
      claim?: InboxClaim;
    }
  | {
      seq: number;
      kind: "route";
      records: RouteRecord[];
      now: number;
      /** Set here: the records routed by earlier commits, when routing yielded to acceptances. */
      next?: number;
      unfiled?: { id: number; error: string }[];
    }
  | { seq: number; kind: "outbox"; writes: OutboxWrite[] }
  | { seq: number; kind: "close" };
type AcceptRequest = Extract<Request, { kind: "accept" }>;
type RouteRequest = Extract<Request, { kind: "route" }>;
type OutboxRequest = Extract<Request, { kind: "outbox" }>;
/** Routing and delivery records: committed after the acceptances, a few at a time. */
type OtherRequest = RouteRequest | OutboxRequest;

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
/**
 * The checkpointer runs where the delivery thread does (delivery-thread.ts): in Linux's
 * SCHED_IDLE class, else ten nice levels below the rest of the process. When the cores are
 * busy, the event loop and this writer go first. A checkpoint that waits costs nothing:
 * the writer checkpoints itself past WRITER_AUTOCHECKPOINT_PAGES.
 */
const CHECKPOINTER_NICE_STEPS = 10;
nameOsThread(role === "writer" ? "aiw-writer" : "aiw-checkpoint");
if (role === "checkpointer") {
  lowerOsThreadPriority(CHECKPOINTER_NICE_STEPS);
  idleOsThread();
}
const db = openDatabase(path, synchronous);
/**
 * The checkpointer thread copies the WAL back while commits go on, but it can never copy
 * all of it under a steady stream of commits, and SQLite reuses the WAL from its start only
 * when a write begins with every frame copied: at 1,000 webhooks a second the WAL grew by
 * 37 MB a second, without end, and every fsync then also had to extend the file. After a
 * commit that leaves more than this many pages in the WAL, the writer checkpoints too
 * (SQLite's own auto-checkpoint, its default size): with no other writer, it copies the
 * little the checkpointer has not, and the next commit starts the WAL over. In the ack
 * bench the WAL then stayed at 4.3 MB, and the ack's p50 fell from 2.7 to 2.1 ms.
 */
const WRITER_AUTOCHECKPOINT_PAGES = 1000;
db.pragma(`wal_autocheckpoint = ${role === "writer" ? WRITER_AUTOCHECKPOINT_PAGES : 0}`);
const writes = prepareInboxWrites(db);
const outbox = prepareOutboxWrites(db);
// A checkpoint copies pages and fsyncs the database file; under I/O contention that takes
// hundreds of milliseconds. In its own thread it never delays a commit (WAL lets one
// connection checkpoint while another writes), and often enough, it leaves the writer's
// own checkpoints (above) little to copy.
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

const port = parentPort;
/** Acceptances waiting: each round commits them first. */
let accepts: AcceptRequest[] = [];
/** Routing and delivery records waiting. */
const others: OtherRequest[] = [];
let closeRequest: Request | undefined;
let scheduled = false;

/** Routing and delivery requests committed together at most. */
const OTHERS_PER_COMMIT = 4;
/**
 * How long a transaction of routing and delivery records runs before an acceptance that
 * arrived meanwhile ends it: the acceptance joins the transaction, which commits at once,
 * and the rest of the routing goes in a later one. Routing costs about 0.15 ms a
 * notification (incident filing included), and a routing batch gathered over 50 ms at
 * 1,000 webhooks a second held the writer for 8-10 ms, the longest wait of an acceptance.
 * Routing the rest of a batch later is the same as routing it all at once (each
 * notification is routed once, whatever commit holds it); the floor keeps routing moving
 * when acceptances never stop arriving.
 */
const OTHERS_SLICE_MS = 1;

port?.on("message", (request: Request) => {
  enqueue(request);
  if (closeRequest) {
    close();
    return;
  }
  if (!scheduled) {
    scheduled = true;
    // Messages already posted are delivered before this runs: they join the round.
    setImmediate(flush);
  }
});

function enqueue(request: Request): void {
  if (request.kind === "close") closeRequest = request;
  else if (request.kind === "accept") accepts.push(request);
  else others.push(request);
}

/** Takes every message posted meanwhile, without waiting for the event loop to deliver it. */
function pull(): void {
  if (!port) return;
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (!received) return;
    enqueue(received.message as Request);
  }
}

/**
 * Acceptances waiting commit first, in a transaction of their own, and are answered before
 * any routing or delivery record waiting is written: a 200 waits for its own fsync. While
 * other work commits, the queue is read again (synchronously) once OTHERS_SLICE_MS have
 * passed, so an acceptance that arrived meanwhile ends that transaction and commits in it:
 * it waits for at most a slice of other work. Acceptances and other work alternate, so
 * neither starves the other.
 */
function flush(): void {
  scheduled = false;
  pull();
  while (accepts.length > 0 || others.length > 0) {
    if (accepts.length > 0) {
      const round = accepts;
      accepts = [];
      commit(round);
      pull();
    }
    // Then one bounded commit of the other work, so that a steady stream of acceptances
    // never starves routing and delivery.
    if (others.length > 0) {
      commitOthers();
      pull();
    }
  }
  if (closeRequest) close();
}

function close(): void {
  const request = closeRequest;
  if (!request) return;
  closeRequest = undefined;
  // Whatever was queued before the close is committed first.
  flush();
  clearInterval(checkpoint);
  if (role === "checkpointer") db.pragma("wal_checkpoint(PASSIVE)");
  db.close();
  port?.postMessage({ seq: request.seq, ok: true });
  port?.close();
}

/** One transaction for `requests`, each in a savepoint of its own; then every reply. */
function commit(requests: readonly AcceptRequest[]): void {
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
  for (const reply of replies) port?.postMessage(reply);
}

/**
 * One transaction of routing and delivery records from the head of the queue, until
 * OTHERS_SLICE_MS have passed and an acceptance waits; the acceptances waiting then are
 * written in it too (each in its savepoint) and answered when it commits. What is left of
 * a routing request goes back to the head of the queue and is answered once all of it is
 * committed.
 */
function commitOthers(): void {
  const taken = others.splice(0, OTHERS_PER_COMMIT);
  const started = performance.now();
  const acceptanceWaits = (): boolean => {
    if (performance.now() - started < OTHERS_SLICE_MS) return false;
    pull();
    return accepts.length > 0;
  };
  let replies: Reply[] = [];
  let unfinished: OtherRequest[] = [];
  let joined: AcceptRequest[] = [];
  const run = db.transaction(() => {
    for (const [index, request] of taken.entries()) {
      const reply =
        index > 0 && acceptanceWaits()
          ? undefined
          : request.kind === "route"
            ? applyRouteSlice(request, acceptanceWaits)
            : apply(request);
      if (reply === undefined) {
        unfinished = taken.slice(index);
        break;
      }
      replies.push(reply);
    }
    // The acceptances that arrived meanwhile join this transaction, which then commits:
    // one fsync for both, where a commit of their own would add one.
    joined = accepts;
    accepts = [];
    for (const request of joined) replies.push(apply(request));
  });
  try {
    run.immediate();
  } catch (error) {
    // The commit failed: nothing of it is stored. A routing request answered with the
    // error is routed again by the routing stage; what earlier commits routed of it is
    // skipped then (it left the inbox).
    replies = [...taken, ...joined].map((request) => failure(request.seq, error));
    unfinished = [];
  }
  others.unshift(...unfinished);
  for (const reply of replies) port?.postMessage(reply);
}

/**
 * Routes a routing request's records from where the last commit left it, in a savepoint;
 * undefined while records are left (it yielded to an acceptance), else the reply.
 */
function applyRouteSlice(request: RouteRequest, stop: () => boolean): Reply | undefined {
  try {
    const progress = writes.routeSlice(request.records, request.next ?? 0, request.now, stop);
    request.next = progress.next;
    request.unfiled = [...(request.unfiled ?? []), ...progress.unfiled];
    if (progress.next < request.records.length) return undefined;
    return { seq: request.seq, ok: true, result: { unfiled: request.unfiled } };
  } catch (error) {
    return failure(request.seq, error);
  }
}

/** One request in a savepoint of the round's transaction (better-sqlite3 nests them so). */
/** An acceptance or a delivery record, in a savepoint; routing goes by applyRouteSlice. */
function apply(request: AcceptRequest | OutboxRequest): Reply {
  try {
    switch (request.kind) {
      case "accept":
        return {
          seq: request.seq,
          ok: true,
          result: writes.accept(request.records, request.windowStart, request.claim),
        };
      case "outbox":
        outbox(request.writes);
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
