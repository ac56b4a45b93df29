import type { FilingFacts } from "../incidents/incident-filing.js";
import { prepareIncidentWrites } from "../incidents/incident-writes.js";
import type { SqliteDatabase } from "./open-database.js";

/** A notification to persist, already serialised (it may cross a thread boundary). */
export interface AcceptRecord {
  /** JSON: text, or UTF-8 bytes (a large body, prepared in the payload thread). */
  readonly payload: string | Uint8Array;
  readonly receiver: string;
  readonly groupKey: string;
  readonly status: string;
  readonly dedupKey: string;
  readonly receivedAt: number;
}

export type AcceptResult = { readonly duplicate: boolean; readonly id: number };

/** The outcome of enriching and routing one notification, serialised. */
export interface RouteRecord {
  readonly id: number;
  readonly enrichment: string | null;
  readonly routed: readonly { readonly destination: string; readonly routeId: string }[];
  /**
   * What filing it under its incident needs, when the caller has it: PostgreSQL files on
   * the event loop and otherwise parses the stored payload again. SQLite's writer thread
   * files from the payload it reads anyway; the receiver sends it none.
   */
  readonly filing?: FilingFacts;
}

/** Who routes the accepted notifications, until when (see ReceiverStore.accept). */
export interface InboxClaim {
  readonly owner: string;
  readonly until: number;
}

/** What routing could not do besides: notifications routed but not filed under an incident. */
export interface RouteOutcome {
  readonly unfiled: readonly { readonly id: number; readonly error: string }[];
}

/** How far a slice of routing got: `records[from, next)` are written. */
export interface RouteProgress {
  readonly next: number;
  readonly unfiled: readonly { readonly id: number; readonly error: string }[];
}

export interface InboxWrites {
  accept(records: readonly AcceptRecord[], windowStart: number, claim?: InboxClaim): AcceptResult[];
  route(records: readonly RouteRecord[], now: number): RouteOutcome;
  /**
   * Routes `records` from index `from` in one transaction (a savepoint inside the
   * caller's), stopping early once `stop()` says so; it asks after each record, so at
   * least one is written. Routing the rest later is the same as routing all at once.
   */
  routeSlice(
    records: readonly RouteRecord[],
    from: number,
    now: number,
    stop: () => boolean,
  ): RouteProgress;
}

const decoder = new TextDecoder();

/**
 * The two hot write paths, each one transaction for a whole batch: accepting
 * notifications (with the dedup check, so both happen atomically) and turning routed ones
 * into deliveries. A notification row is written once and never rewritten; routing only
 * removes its small `inbox` row.
 */
export function prepareInboxWrites(db: SqliteDatabase): InboxWrites {
  const findKey = db.prepare<[string, number], { notification_id: number }>(
    "SELECT notification_id FROM dedup_keys WHERE key = ? AND seen_at >= ?",
  );
  const upsertKey = db.prepare(
    "INSERT INTO dedup_keys (key, notification_id, seen_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET notification_id = excluded.notification_id, seen_at = excluded.seen_at",
  );
  const insertNotification = db.prepare(
    "INSERT INTO notifications (received_at, receiver, group_key, status, payload) VALUES (?, ?, ?, ?, ?)",
  );
  const insertInbox = db.prepare(
    "INSERT INTO inbox (notification_id, claimed_by, claim_expires) VALUES (?, ?, ?)",
  );
  const insertDelivery = db.prepare(
    "INSERT INTO deliveries (notification_id, destination, route, kind, next_attempt_at, created_at) VALUES (?, ?, ?, 'notification', ?, ?)",
  );
  const insertEnrichment = db.prepare(
    "INSERT OR REPLACE INTO enrichments (notification_id, enrichment) VALUES (?, ?)",
  );
  const removeFromInbox = db.prepare("DELETE FROM inbox WHERE notification_id = ?");
  const fileIncident = prepareIncidentWrites(db);
  const accept = db.transaction(
    (records: readonly AcceptRecord[], windowStart: number, claim: InboxClaim | undefined) =>
      records.map((r): AcceptResult => {
        const existing = findKey.get(r.dedupKey, windowStart);
        if (existing) return { duplicate: true, id: existing.notification_id };
        const id = Number(
          insertNotification.run(
            r.receivedAt,
            r.receiver,
            r.groupKey,
            r.status,
            // TEXT, as every reader expects: bytes would be stored as a BLOB.
            typeof r.payload === "string" ? r.payload : decoder.decode(r.payload),
          ).lastInsertRowid,
        );
        upsertKey.run(r.dedupKey, id, r.receivedAt);
        insertInbox.run(id, claim?.owner ?? null, claim?.until ?? null);
        return { duplicate: false, id };
      }),
  );
  const route = db.transaction(
    (records: readonly RouteRecord[], from: number, now: number, stop: () => boolean) => {
      const unfiled: { id: number; error: string }[] = [];
      let next = from;
      while (next < records.length) {
        const r = records[next++] as RouteRecord;
        // Only what is still in the inbox: routing the same notification twice (handed
        // over in memory and also read from the inbox at start) must not create two
        // deliveries.
        if (removeFromInbox.run(r.id).changes > 0) {
          for (const d of r.routed) insertDelivery.run(r.id, d.destination, d.routeId, now, now);
          if (r.enrichment !== null) insertEnrichment.run(r.id, r.enrichment);
          const error = fileIncident(r.id);
          if (error !== undefined) unfiled.push({ id: r.id, error });
        }
        if (stop()) break;
      }
      return { next, unfiled };
    },
  );
  const never = (): boolean => false;
  return {
    // BEGIN IMMEDIATE: two connections write this database (the writer thread and the
    // main one); a deferred transaction that reads first cannot upgrade to a write after
    // the other committed, and SQLite fails it at once (SQLITE_BUSY_SNAPSHOT) instead of
    // waiting. Taking the write lock up front makes it wait (busy_timeout) instead.
    accept: (records, windowStart, claim) => accept.immediate(records, windowStart, claim),
    route: (records, now) => ({ unfiled: route.immediate(records, 0, now, never).unfiled }),
    routeSlice: (records, from, now, stop) => route.immediate(records, from, now, stop),
  };
}
