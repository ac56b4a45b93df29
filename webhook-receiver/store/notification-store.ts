import type { FilingFacts } from "../incidents/incident-filing.js";
import type { Enrichment } from "../pipeline/enrichment.js";
import type { Notification } from "../payload/notification.js";
import type { RoutedDestination } from "../routing/route-notification.js";
import type { InboxClaim } from "./inbox-writes.js";
import type { SqliteDatabase } from "./open-database.js";

export interface RoutingResult {
  readonly id: number;
  readonly enrichment: Enrichment | undefined;
  readonly routed: readonly RoutedDestination[];
  /** What filing it under its incident needs (see RoutingStageDeps.filingFacts). */
  readonly filing?: FilingFacts;
}

export interface StoredNotification {
  readonly id: number;
  readonly receivedAt: number;
  readonly notification: Notification;
  readonly enrichment?: Enrichment;
}

/**
 * Reads of the inbox (accepted notifications waiting to be enriched and routed) and
 * follow-ups. The hot writes (accept, route) are in inbox-writes.ts, run by the writer.
 */
export class NotificationStore {
  private readonly selectAccepted;
  private readonly selectById;
  private readonly insertFollowUp;

  constructor(private readonly db: SqliteDatabase) {
    this.selectAccepted = db.prepare<[number], NotificationRow>(
      "SELECT n.id, n.received_at, n.payload, NULL AS enrichment FROM inbox i JOIN notifications n ON n.id = i.notification_id ORDER BY i.notification_id LIMIT ?",
    );
    this.selectById = db.prepare<[number], NotificationRow>(
      "SELECT n.id, n.received_at, n.payload, e.enrichment FROM notifications n LEFT JOIN enrichments e ON e.notification_id = n.id WHERE n.id = ?",
    );
    this.insertFollowUp = db.prepare(
      "INSERT INTO deliveries (notification_id, destination, route, kind, enrichment, next_attempt_at, created_at) VALUES (?, ?, ?, 'follow_up', ?, ?, ?)",
    );
  }

  /** Accepted notifications not yet routed, oldest first (also those a crash interrupted). */
  awaitingRouting(limit: number): StoredNotification[] {
    return this.selectAccepted.all(limit).map(toStored);
  }

  /**
   * Claims inbox rows no live process routes: unclaimed, expired, or claimed by an earlier
   * run (one process owns a SQLite file, so another owner is a process that died).
   */
  claimUnrouted(claim: InboxClaim, now: number, limit: number): StoredNotification[] {
    const ids = this.db
      .prepare<[string, number, number], { notification_id: number }>(
        "SELECT notification_id FROM inbox WHERE claimed_by IS NULL OR claimed_by != ? OR claim_expires < ? ORDER BY notification_id LIMIT ?",
      )
      .all(claim.owner, now, limit)
      .map((r) => r.notification_id);
    if (ids.length === 0) return [];
    const update = this.db.prepare(
      "UPDATE inbox SET claimed_by = ?, claim_expires = ? WHERE notification_id = ?",
    );
    this.db
      .transaction(() => {
        for (const id of ids) update.run(claim.owner, claim.until, id);
      })
      .immediate();
    return ids.flatMap((id) => {
      const row = this.selectById.get(id);
      return row ? [toStored({ ...row, enrichment: null })] : [];
    });
  }

  get(id: number): StoredNotification | undefined {
    const row = this.selectById.get(id);
    return row ? toStored(row) : undefined;
  }

  /**
   * Queues a follow-up message for a notification already sent (e.g. evidence that
   * arrived after a deadline), to every destination the notification went to.
   */
  enqueueFollowUp(id: number, enrichment: Enrichment, now: number): number {
    const destinations = this.db
      .prepare<[number], { destination: string; route: string }>(
        "SELECT DISTINCT destination, route FROM deliveries WHERE notification_id = ? AND kind = 'notification'",
      )
      .all(id);
    const insert = this.db.transaction(() => {
      for (const d of destinations)
        this.insertFollowUp.run(id, d.destination, d.route, JSON.stringify(enrichment), now, now);
    });
    insert.immediate();
    return destinations.length;
  }
}

export interface NotificationRow {
  id: number;
  received_at: number;
  payload: string;
  enrichment: string | null;
}

export function toStored(row: NotificationRow): StoredNotification {
  return {
    id: row.id,
    receivedAt: row.received_at,
    notification: JSON.parse(row.payload) as Notification,
    ...(row.enrichment ? { enrichment: JSON.parse(row.enrichment) as Enrichment } : {}),
  };
}
