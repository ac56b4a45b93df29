import type { SqliteDatabase } from "./open-database.js";

/**
 * What the delivery worker records after a send, as data (it crosses to the writer
 * thread). A list of them is applied in one transaction.
 */
export type OutboxWrite =
  | {
      readonly op: "attempt";
      readonly ids: readonly number[];
      readonly at: number;
      readonly outcome: string;
      readonly detail: string | null;
      readonly durationMs: number;
    }
  | {
      readonly op: "delivered";
      readonly ids: readonly number[];
      readonly now: number;
      /** What each channel now shows as firing, per group, for the next message's counts. */
      readonly groups: readonly {
        destination: string;
        groupKey: string;
        firing: readonly string[];
      }[];
    }
  | {
      readonly op: "retry";
      readonly ids: readonly number[];
      readonly nextAttemptAt: number;
      readonly error: string;
    }
  | { readonly op: "shrink"; readonly ids: readonly number[]; readonly sizeLimit: number }
  | {
      readonly op: "dead";
      readonly ids: readonly number[];
      readonly now: number;
      readonly error: string;
    }
  | {
      readonly op: "parts";
      readonly id: number;
      readonly total: number;
      readonly sent: number;
      /** Every alert index the parts sent so far show (earlier rounds included). */
      readonly sentAlerts: readonly number[];
    };

export function prepareOutboxWrites(db: SqliteDatabase): (writes: readonly OutboxWrite[]) => void {
  const insertAttempt = db.prepare(
    "INSERT INTO attempts (delivery_id, at, outcome, detail, duration_ms) VALUES (?, ?, ?, ?, ?)",
  );
  const delivered = db.prepare(
    "UPDATE deliveries SET state = 'delivered', finished_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
  );
  const groupState = db.prepare(
    "INSERT INTO group_state (destination, group_key, firing, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(destination, group_key) DO UPDATE SET firing = excluded.firing, updated_at = excluded.updated_at",
  );
  const retry = db.prepare(
    "UPDATE deliveries SET next_attempt_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
  );
  const shrink = db.prepare("UPDATE deliveries SET size_limit = ? WHERE id = ?");
  const dead = db.prepare(
    "UPDATE deliveries SET state = 'dead', finished_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
  );
  const parts = db.prepare(
    "UPDATE deliveries SET parts_total = ?, parts_sent = ?, sent_alerts = ? WHERE id = ?",
  );
  const apply = db.transaction((writes: readonly OutboxWrite[]) => {
    for (const w of writes) {
      switch (w.op) {
        case "attempt":
          for (const id of w.ids) insertAttempt.run(id, w.at, w.outcome, w.detail, w.durationMs);
          break;
        case "delivered":
          for (const id of w.ids) delivered.run(w.now, id);
          for (const g of w.groups)
            groupState.run(g.destination, g.groupKey, JSON.stringify(g.firing), w.now);
          break;
        case "retry":
          for (const id of w.ids) retry.run(w.nextAttemptAt, w.error, id);
          break;
        case "shrink":
          for (const id of w.ids) shrink.run(w.sizeLimit, id);
          break;
        case "dead":
          for (const id of w.ids) dead.run(w.now, w.error, id);
          break;
        case "parts":
          parts.run(w.total, w.sent, JSON.stringify(w.sentAlerts), w.id);
          break;
      }
    }
  });
  return (writes) => apply.immediate(writes);
}
