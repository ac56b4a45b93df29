import type { Pool, PoolClient } from "pg";
import type { OutboxWrite } from "../outbox-writes.js";
import { inTransaction } from "./postgres-connection.js";
import type { PreparedStatements } from "./prepared-statements.js";

/**
 * The delivery worker's records (outbox-writes.ts), on PostgreSQL. State changes apply
 * only to pending rows, so a record that arrives twice (a replica that lost its lease, a
 * retried commit) changes nothing the second time.
 *
 * One round trip where it can: the records of a send (an attempt and its consequence)
 * touch different rows, so they go as one statement of data-modifying CTEs, atomic like a
 * transaction. Each statement is a round trip to the database, and a delivered digest of
 * 50 notifications used to take 55 of them (a group-state upsert per group). Records that
 * update the same delivery rows twice (a shrink and its retry) cannot share a statement:
 * they run in a transaction, one after the other.
 */
export async function applyOutboxWrites(
  pool: Pool,
  writes: readonly OutboxWrite[],
  sql: PreparedStatements,
): Promise<void> {
  if (writes.length === 0) return;
  const statements = writes.flatMap(statementsOfWrite);
  const updatesOfDeliveries = writes.filter((w) => w.op !== "attempt").length;
  if (updatesOfDeliveries <= 1) {
    const { text, values } = combined(statements);
    await pool.query(sql.query(text, values));
    return;
  }
  await inTransaction(pool, async (client: PoolClient) => {
    for (const { text, values } of writes.map((w) => combined(statementsOfWrite(w))))
      await client.query(sql.query(text, values));
  });
}

interface Statement {
  readonly sql: string;
  readonly params: unknown[];
}

function statementsOfWrite(w: OutboxWrite): Statement[] {
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  return statementsOf(w, p).map((sql) => ({ sql, params }));
}

/**
 * Statements as one: data-modifying CTEs, their placeholders renumbered. The statements
 * of one record share its parameters (numbered once); each record's come after the last.
 */
function combined(statements: readonly Statement[]): { text: string; values: unknown[] } {
  if (statements.length === 1 && statements[0])
    return { text: statements[0].sql, values: statements[0].params };
  const values: unknown[] = [];
  const seen = new Map<unknown[], number>();
  const parts = statements.map((s) => {
    let offset = seen.get(s.params);
    if (offset === undefined) {
      offset = values.length;
      seen.set(s.params, offset);
      values.push(...s.params);
    }
    const base = offset;
    return s.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + base}`);
  });
  return { text: `WITH ${parts.map((s, i) => `w${i} AS (${s})`).join(", ")} SELECT 1`, values };
}

/** The statements of one record; `p` binds a parameter and answers its placeholder. */
function statementsOf(w: OutboxWrite, p: (value: unknown) => string): string[] {
  switch (w.op) {
    case "attempt":
      return [
        `INSERT INTO attempts (delivery_id, at, outcome, detail, duration_ms, batch_size) SELECT id, ${p(w.at)}::bigint, ${p(w.outcome)}::text, ${p(w.detail)}::text, ${p(w.durationMs)}::double precision, ${p(w.ids.length)}::integer FROM unnest(${p(w.ids)}::bigint[]) AS t(id)`,
      ];
    case "delivered": {
      const statements = [
        `UPDATE deliveries SET state = 'delivered', finished_at = ${p(w.now)}::bigint, attempts = attempts + 1, last_error = NULL WHERE id = ANY(${p(w.ids)}::bigint[]) AND state = 'pending'`,
      ];
      // One row per group (an upsert may not touch a row twice): the digest's last
      // notification of a group is what its channel shows now.
      const latest = new Map<string, { destination: string; groupKey: string; firing: string }>();
      for (const g of w.groups)
        latest.set(JSON.stringify([g.destination, g.groupKey]), {
          destination: g.destination,
          groupKey: g.groupKey,
          firing: JSON.stringify(g.firing),
        });
      const groups = [...latest.values()];
      if (groups.length > 0)
        statements.push(
          `INSERT INTO group_state (destination, group_key, firing, updated_at) SELECT t.destination, t.group_key, t.firing, ${p(w.now)}::bigint FROM unnest(${p(groups.map((g) => g.destination))}::text[], ${p(groups.map((g) => g.groupKey))}::text[], ${p(groups.map((g) => g.firing))}::text[]) AS t(destination, group_key, firing) ON CONFLICT (destination, group_key) DO UPDATE SET firing = excluded.firing, updated_at = excluded.updated_at`,
        );
      return statements;
    }
    case "retry":
      return [
        `UPDATE deliveries SET next_attempt_at = ${p(w.nextAttemptAt)}::bigint, last_error = ${p(w.error)}::text, attempts = attempts + 1 WHERE id = ANY(${p(w.ids)}::bigint[]) AND state = 'pending'`,
      ];
    case "shrink":
      return [
        `UPDATE deliveries SET size_limit = ${p(w.sizeLimit)}::integer WHERE id = ANY(${p(w.ids)}::bigint[]) AND state = 'pending'`,
      ];
    case "dead":
      return [
        `UPDATE deliveries SET state = 'dead', finished_at = ${p(w.now)}::bigint, last_error = ${p(w.error)}::text, attempts = attempts + 1 WHERE id = ANY(${p(w.ids)}::bigint[]) AND state = 'pending'`,
      ];
    case "parts":
      return [
        `UPDATE deliveries SET parts_total = ${p(w.total)}::integer, parts_sent = ${p(w.sent)}::integer, sent_alerts = ${p(JSON.stringify(w.sentAlerts))}::text WHERE id = ${p(w.id)}::bigint AND state = 'pending'`,
      ];
  }
}
