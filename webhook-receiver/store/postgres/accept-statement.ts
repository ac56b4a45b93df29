import type { AcceptRecord } from "../inbox-writes.js";
import type { Claim } from "../receiver-store.js";

/** The most rows one accept statement takes (the receiver's batches hold at most 512). */
export const ACCEPT_STATEMENT_MAX_ROWS = 512;

const COLUMNS = 6;
/** $1 the dedup window's start, $2 and $3 the routing claim; rows from $4 on. */
const SCALARS = 3;

/**
 * The accept statement's text for `rows` rows (a power of two; see `acceptValues`). Each
 * row is stored once its dedup key is new, or older than the window: the key, its
 * notification and the notification's inbox claim, in one statement.
 */
export function acceptStatementText(rows: number): string {
  const values: string[] = [];
  for (let row = 0; row < rows; row++) {
    const p = SCALARS + row * COLUMNS;
    values.push(
      `(${row}, $${p + 1}, $${p + 2}::bigint, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`,
    );
  }
  // Ids in arrival order (each row's place in the batch): routing, incident filing and
  // delivery follow ids, so a group's "resolved" never goes before its "firing". Keys are
  // inserted in sorted order, so that two replicas' batches lock them in one order and
  // never deadlock. nextval runs over the sorted subquery, row by row.
  return `WITH input AS (
  SELECT * FROM (VALUES ${values.join(", ")})
    AS t(ord, key, received_at, receiver, group_key, status, payload)
  WHERE key IS NOT NULL
), ids AS (
  SELECT key, nextval(pg_get_serial_sequence('notifications', 'id')) AS id
  FROM (SELECT key FROM input ORDER BY ord) AS arrival
), keyed AS (
  INSERT INTO dedup_keys AS d (key, notification_id, seen_at)
  SELECT i.key, ids.id, i.received_at FROM input i JOIN ids ON ids.key = i.key
  ORDER BY i.key
  ON CONFLICT (key) DO UPDATE
    SET notification_id = excluded.notification_id, seen_at = excluded.seen_at
    WHERE d.seen_at < $1
  RETURNING d.key, d.notification_id
), stored AS (
  INSERT INTO notifications (id, received_at, receiver, group_key, status, payload)
  SELECT k.notification_id, i.received_at, i.receiver, i.group_key, i.status, i.payload
  FROM keyed k JOIN input i ON i.key = k.key
  RETURNING id
), claimed AS (
  INSERT INTO inbox (notification_id, claimed_by, claim_expires)
  SELECT id, $2, $3 FROM stored
)
SELECT key, notification_id FROM keyed`;
}

/**
 * The rows as parameters of their own, padded with NULL rows to `rows` (the next power of
 * two), so that a few statement texts, each prepared once per connection, serve every
 * batch size. Not text[] arrays: node-postgres writes an array as one literal, escaping
 * each element with String.replace and joining them, and at 1,000 webhooks a second that
 * was 38 % of the main thread's allocation (a sampling heap profile, the receiver-ack
 * bench's payloads); a string parameter goes to the socket's buffer as it is, and a
 * payload given as UTF-8 bytes (a large body) as a binary parameter, which PostgreSQL
 * reads as text in the client's encoding (UTF8).
 */
export function acceptValues(
  records: readonly AcceptRecord[],
  windowStart: number,
  claim: Claim,
): { rows: number; values: unknown[] } {
  if (records.length > ACCEPT_STATEMENT_MAX_ROWS)
    throw new RangeError(
      `internal: ${records.length} rows for one accept statement (at most ${ACCEPT_STATEMENT_MAX_ROWS})`,
    );
  let rows = 1;
  while (rows < records.length) rows *= 2;
  const values: unknown[] = [windowStart, claim.owner, claim.until];
  for (const r of records)
    values.push(r.dedupKey, r.receivedAt, r.receiver, r.groupKey, r.status, r.payload);
  for (let pad = records.length; pad < rows; pad++) values.push(null, null, null, null, null, null);
  return { rows, values };
}
