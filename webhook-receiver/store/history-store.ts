import type { Notification } from "../payload/notification.js";
import type { SqliteDatabase } from "./open-database.js";

export interface HistoryEntry {
  readonly receivedAt: number;
  readonly notification: Notification;
}

/**
 * Kept notifications, for the alert report, with bounded retention: a notification is
 * pruned once it is older than the retention and none of its deliveries is still pending.
 * The same retention bounds the action history and the per-channel state of resolved
 * groups.
 */
export class HistoryStore {
  constructor(private readonly db: SqliteDatabase) {}

  since(from: number): HistoryEntry[] {
    return this.db
      .prepare<[number], { received_at: number; payload: string }>(
        "SELECT received_at, payload FROM notifications WHERE received_at >= ? ORDER BY id",
      )
      .all(from)
      .map((r) => ({
        receivedAt: r.received_at,
        notification: JSON.parse(r.payload) as Notification,
      }));
  }

  /** Deletes what retention and the dedup window no longer need. Returns notifications pruned. */
  prune(now: number, retentionMs: number, dedupWindowMs: number): number {
    const run = this.db.transaction(() => {
      const cutoff = now - retentionMs;
      const old = `SELECT id FROM notifications n WHERE n.received_at < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = n.id)
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.state = 'pending')`;
      this.db.exec(
        `DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE notification_id IN (${old}))`,
      );
      this.db.exec(`DELETE FROM deliveries WHERE notification_id IN (${old})`);
      this.db.exec(`DELETE FROM enrichments WHERE notification_id IN (${old})`);
      const removed = this.db
        .prepare(`DELETE FROM notifications WHERE id IN (${old})`)
        .run().changes;
      this.db.prepare("DELETE FROM dedup_keys WHERE seen_at < ?").run(now - dedupWindowMs);
      this.db.prepare("DELETE FROM actions WHERE at < ?").run(cutoff);
      // What a channel last showed of a group, for "new / still firing": a group whose last
      // message showed nothing firing and that has been quiet for the retention starts
      // afresh anyway. Firing groups are kept longer, so their next message counts them as
      // still firing when Alertmanager repeats; one silent for four retentions will never
      // be repeated (its resolution went elsewhere, or send_resolved is off).
      this.db
        .prepare(
          "DELETE FROM group_state WHERE updated_at < ? AND (firing = '[]' OR updated_at < ?)",
        )
        .run(cutoff, now - 4 * retentionMs);
      return removed;
    });
    return run.immediate();
  }
}
