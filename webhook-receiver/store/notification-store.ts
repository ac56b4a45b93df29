import type { Enrichment } from "../pipeline/enrichment.js";
import type { Notification } from "../payload/notification.js";
import type { RoutedDestination } from "../routing/route-notification.js";
import type { SqliteDatabase } from "./open-database.js";

export interface AcceptItem {
  readonly notification: Notification;
  readonly dedupKey: string;
  readonly receivedAt: number;
}

export type AcceptResult =
  | { readonly duplicate: false; readonly id: number }
  | { readonly duplicate: true; readonly id: number };

export interface RoutingResult {
  readonly id: number;
  readonly enrichment: Enrichment | undefined;
  readonly routed: readonly RoutedDestination[];
}

export interface StoredNotification {
  readonly id: number;
  readonly receivedAt: number;
  readonly notification: Notification;
  readonly enrichment?: Enrichment;
}

/**
 * The inbox: notifications as accepted (persisted before the HTTP answer), the dedup keys
 * that drop Alertmanager's retries and HA duplicates, and the step that turns an accepted
 * notification into deliveries once it is enriched and routed.
 */
export class NotificationStore {
  private readonly findKey;
  private readonly upsertKey;
  private readonly insertNotification;
  private readonly selectAccepted;
  private readonly insertDelivery;
  private readonly markRouted;
  private readonly selectById;
  private readonly acceptBatch;
  private readonly routeMany;

  constructor(private readonly db: SqliteDatabase) {
    this.findKey = db.prepare<[string, number], { notification_id: number }>(
      "SELECT notification_id FROM dedup_keys WHERE key = ? AND seen_at >= ?",
    );
    this.upsertKey = db.prepare(
      "INSERT INTO dedup_keys (key, notification_id, seen_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET notification_id = excluded.notification_id, seen_at = excluded.seen_at",
    );
    this.insertNotification = db.prepare(
      "INSERT INTO notifications (received_at, receiver, group_key, status, payload) VALUES (?, ?, ?, ?, ?)",
    );
    this.selectAccepted = db.prepare<[number], NotificationRow>(
      "SELECT id, received_at, payload, enrichment FROM notifications WHERE state = 'accepted' ORDER BY id LIMIT ?",
    );
    this.selectById = db.prepare<[number], NotificationRow>(
      "SELECT id, received_at, payload, enrichment FROM notifications WHERE id = ?",
    );
    this.insertDelivery = db.prepare(
      "INSERT INTO deliveries (notification_id, destination, route, kind, enrichment, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.markRouted = db.prepare(
      "UPDATE notifications SET state = 'routed', enrichment = ? WHERE id = ?",
    );
    this.acceptBatch = db.transaction((items: readonly AcceptItem[], windowStart: number) =>
      items.map((item): AcceptResult => {
        const existing = this.findKey.get(item.dedupKey, windowStart);
        if (existing) return { duplicate: true, id: existing.notification_id };
        const n = item.notification;
        const id = Number(
          this.insertNotification.run(
            item.receivedAt,
            n.receiver,
            n.groupKey,
            n.status,
            JSON.stringify(n),
          ).lastInsertRowid,
        );
        this.upsertKey.run(item.dedupKey, id, item.receivedAt);
        return { duplicate: false, id };
      }),
    );
    this.routeMany = db.transaction((items: readonly RoutingResult[], now: number) => {
      for (const { id, enrichment, routed } of items) {
        for (const r of routed)
          this.insertDelivery.run(id, r.destination, r.routeId, "notification", null, now, now);
        this.markRouted.run(enrichment ? JSON.stringify(enrichment) : null, id);
      }
    });
  }

  /**
   * Persists a batch of notifications in one transaction (one fsync for all of them) and
   * tells which were duplicates within the dedup window. Throws if storage fails; the
   * caller answers 503 so Alertmanager retries.
   */
  accept(items: readonly AcceptItem[], dedupWindowMs: number): AcceptResult[] {
    const oldest = Math.min(...items.map((i) => i.receivedAt));
    return this.acceptBatch(items, oldest - dedupWindowMs);
  }

  /** Accepted notifications not yet routed, oldest first (also those a crash interrupted). */
  awaitingRouting(limit: number): StoredNotification[] {
    return this.selectAccepted.all(limit).map(toStored);
  }

  get(id: number): StoredNotification | undefined {
    const row = this.selectById.get(id);
    return row ? toStored(row) : undefined;
  }

  /** Creates the deliveries and marks the notifications routed, in one transaction. */
  completeRouting(items: readonly RoutingResult[], now: number): void {
    this.routeMany(items, now);
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
        this.insertDelivery.run(
          id,
          d.destination,
          d.route,
          "follow_up",
          JSON.stringify(enrichment),
          now,
          now,
        );
    });
    insert();
    return destinations.length;
  }
}

interface NotificationRow {
  id: number;
  received_at: number;
  payload: string;
  enrichment: string | null;
}

function toStored(row: NotificationRow): StoredNotification {
  return {
    id: row.id,
    receivedAt: row.received_at,
    notification: JSON.parse(row.payload) as Notification,
    ...(row.enrichment ? { enrichment: JSON.parse(row.enrichment) as Enrichment } : {}),
  };
}
