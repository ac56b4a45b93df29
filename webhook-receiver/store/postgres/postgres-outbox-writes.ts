import type { PoolClient } from "pg";
import type { OutboxWrite } from "../outbox-writes.js";

/**
 * The delivery worker's records (outbox-writes.ts), on PostgreSQL, in the caller's
 * transaction. State changes apply only to pending rows, so a record that arrives twice
 * (a replica that lost its lease, a retried commit) changes nothing the second time.
 */
export async function applyOutboxWrites(
  client: PoolClient,
  writes: readonly OutboxWrite[],
): Promise<void> {
  for (const w of writes) {
    switch (w.op) {
      case "attempt":
        await client.query(
          "INSERT INTO attempts (delivery_id, at, outcome, detail, duration_ms) SELECT id, $2, $3, $4, $5 FROM unnest($1::bigint[]) AS t(id)",
          [w.ids, w.at, w.outcome, w.detail, w.durationMs],
        );
        break;
      case "delivered":
        await client.query(
          "UPDATE deliveries SET state = 'delivered', finished_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[]) AND state = 'pending'",
          [w.ids, w.now],
        );
        for (const g of w.groups)
          await client.query(
            "INSERT INTO group_state (destination, group_key, firing, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (destination, group_key) DO UPDATE SET firing = excluded.firing, updated_at = excluded.updated_at",
            [g.destination, g.groupKey, JSON.stringify(g.firing), w.now],
          );
        break;
      case "retry":
        await client.query(
          "UPDATE deliveries SET next_attempt_at = $2, last_error = $3, attempts = attempts + 1 WHERE id = ANY($1::bigint[]) AND state = 'pending'",
          [w.ids, w.nextAttemptAt, w.error],
        );
        break;
      case "shrink":
        await client.query(
          "UPDATE deliveries SET size_limit = $2 WHERE id = ANY($1::bigint[]) AND state = 'pending'",
          [w.ids, w.sizeLimit],
        );
        break;
      case "dead":
        await client.query(
          "UPDATE deliveries SET state = 'dead', finished_at = $2, last_error = $3, attempts = attempts + 1 WHERE id = ANY($1::bigint[]) AND state = 'pending'",
          [w.ids, w.now, w.error],
        );
        break;
      case "parts":
        await client.query(
          "UPDATE deliveries SET parts_total = $2, parts_sent = $3, sent_alerts = $4 WHERE id = $1 AND state = 'pending'",
          [w.id, w.total, w.sent, JSON.stringify(w.sentAlerts)],
        );
        break;
    }
  }
}
