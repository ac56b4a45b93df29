import type { Pool } from "pg";
import type { Notification } from "../../payload/notification.js";
import type { FilingFacts } from "../../incidents/incident-filing.js";
import type { RouteRecord } from "../inbox-writes.js";
import type { NotificationRow } from "../notification-store.js";
import { toStored } from "../notification-store.js";
import type { DeadLetterRow, DeliveryRow } from "../outbox-store.js";
import { toDeadLetter, toPending } from "../outbox-store.js";
import type {
  AcceptResult,
  ActionHistory,
  ReceiverStore,
  RouteOutcome,
} from "../receiver-store.js";
import {
  ACCEPT_STATEMENT_MAX_ROWS,
  acceptStatementText,
  acceptValues,
} from "./accept-statement.js";
import { postgresActions } from "./postgres-actions.js";
import { createPool, inTransaction } from "./postgres-connection.js";
import { applyOutboxWrites } from "./postgres-outbox-writes.js";
import { fileIncidents, PostgresIncidentStore } from "./postgres-incidents.js";
import type { RoutedRow } from "./postgres-incidents.js";
import { migratePostgres } from "./postgres-schema.js";
import { PreparedStatements } from "./prepared-statements.js";

const PING_MS = 2_000;

/**
 * The shared store: one PostgreSQL database, several receiver replicas. Every replica
 * accepts (dedup is one statement, atomic across replicas through the key's unique
 * index), routes what it accepted (other replicas take a notification over only once its
 * claim expired), and drains the destinations whose lease it holds.
 */
export class PostgresReceiverStore implements ReceiverStore {
  readonly kind = "postgres";
  readonly actions: ActionHistory;
  readonly incidents: PostgresIncidentStore;
  private lastError: string | undefined;
  private closed = false;
  /** The accept statement's text by its row count (a power of two). */
  private readonly acceptTexts = new Map<number, string>();
  private readonly ping: NodeJS.Timeout;

  private constructor(
    readonly pool: Pool,
    private readonly sql: PreparedStatements,
  ) {
    this.actions = postgresActions(pool);
    this.incidents = new PostgresIncidentStore(pool);
    // Readiness reflects the database: a ping keeps the answer current between requests.
    this.ping = setInterval(() => void this.check(), PING_MS);
    this.ping.unref();
  }

  /** `preparedStatements`: see prepared-statements.ts (off behind PgBouncer before 1.21). */
  static async open(
    url: string,
    maxConnections: number,
    preparedStatements = true,
  ): Promise<PostgresReceiverStore> {
    const store = PostgresReceiverStore.attach(url, maxConnections, preparedStatements);
    try {
      await migratePostgres(store.pool);
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /**
   * A pool on a database already migrated: the delivery thread's, beside the pool of the
   * store the main thread opened, so its reads and outbox writes never wait on the event
   * loop that answers Alertmanager.
   */
  static attach(
    url: string,
    maxConnections: number,
    preparedStatements = true,
  ): PostgresReceiverStore {
    const holder: { store?: PostgresReceiverStore } = {};
    const pool = createPool(url, maxConnections, (error) => {
      if (holder.store) holder.store.lastError = error.message;
    });
    holder.store = new PostgresReceiverStore(pool, new PreparedStatements(preparedStatements));
    return holder.store;
  }

  private async check(): Promise<void> {
    try {
      await this.pool.query("SELECT 1");
      this.lastError = undefined;
    } catch (error) {
      this.lastError = (error as Error).message;
    }
  }

  private acceptText(rows: number): string {
    let text = this.acceptTexts.get(rows);
    if (text === undefined) {
      text = acceptStatementText(rows);
      this.acceptTexts.set(rows, text);
    }
    return text;
  }

  /** Runs a query, remembering whether the database answered (for readiness). */
  private async track<T>(run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.lastError = undefined;
      return result;
    } catch (error) {
      if (isConnectionError(error)) this.lastError = (error as Error).message;
      throw error;
    }
  }

  accept: ReceiverStore["accept"] = (records, windowStart, claim) =>
    this.track(async () => {
      if (records.length === 0) return [];
      // A key twice in one batch: the later ones are duplicates of the first (one
      // INSERT ... ON CONFLICT may not touch a row twice). In arrival order: the statement
      // numbers them so (and locks their keys in sorted order; see accept-statement.ts).
      const firstOf = new Map<string, number>();
      records.forEach((r, i) => {
        if (!firstOf.has(r.dedupKey)) firstOf.set(r.dedupKey, i);
      });
      const unique = [...firstOf.values()].map((i) => records[i]).filter((r) => r !== undefined);
      const fresh = new Map<string, number>();
      // One statement per 512 rows: the receiver's batches are never larger.
      for (let from = 0; from < unique.length; from += ACCEPT_STATEMENT_MAX_ROWS) {
        const { rows, values } = acceptValues(
          unique.slice(from, from + ACCEPT_STATEMENT_MAX_ROWS),
          windowStart,
          claim,
        );
        const inserted = await this.pool.query<{ key: string; notification_id: number }>(
          this.sql.query(this.acceptText(rows), values),
        );
        for (const r of inserted.rows) fresh.set(r.key, r.notification_id);
      }
      const others = [...firstOf.keys()].filter((k) => !fresh.has(k));
      // Duplicates: the key's holder, read after the insert (which waited for a replica
      // that was storing the same notification at the same moment).
      const existing =
        others.length === 0
          ? new Map<string, number>()
          : new Map(
              (
                await this.pool.query<{ key: string; notification_id: number }>(
                  "SELECT key, notification_id FROM dedup_keys WHERE key = ANY($1::text[])",
                  [others],
                )
              ).rows.map((r) => [r.key, r.notification_id]),
            );
      return records.map((r, i): AcceptResult => {
        const id = fresh.get(r.dedupKey);
        if (id !== undefined && firstOf.get(r.dedupKey) === i) return { duplicate: false, id };
        return { duplicate: true, id: id ?? existing.get(r.dedupKey) ?? 0 };
      });
    });

  claimUnrouted: ReceiverStore["claimUnrouted"] = (claim, now, limit) =>
    this.track(async () => {
      const claimed = await this.pool.query<{ notification_id: number }>(
        this.sql.query(
          `UPDATE inbox SET claimed_by = $1, claim_expires = $2
         WHERE notification_id IN (
           SELECT notification_id FROM inbox
           WHERE claimed_by IS NULL OR claim_expires < $3
           ORDER BY notification_id LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING notification_id`,
          [claim.owner, claim.until, now, limit],
        ),
      );
      if (claimed.rows.length === 0) return [];
      const rows = await this.pool.query<NotificationRow>(
        this.sql.query(
          "SELECT id, received_at, payload, NULL AS enrichment FROM notifications WHERE id = ANY($1::bigint[]) ORDER BY id",
          [claimed.rows.map((r) => r.notification_id)],
        ),
      );
      return rows.rows.map(toStored);
    });

  route: ReceiverStore["route"] = (records, now) =>
    this.track(async () => {
      if (records.length === 0) return { unfiled: [] };
      const deliveries = records.flatMap((r) =>
        r.routed.map((d) => ({ id: r.id, destination: d.destination, route: d.routeId })),
      );
      const enriched = records.filter((r) => r.enrichment !== null);
      // One statement for the routing itself, then the incident filing, in one
      // transaction. Only what is still in the inbox: a notification routed by two
      // replicas (one took it over from the other) gets its deliveries and its filing
      // once; the second DELETE waits for the first and finds nothing.
      return inTransaction(this.pool, async (client): Promise<RouteOutcome> => {
        const removed = await client.query<RoutedRow>(
          this.sql.query(
            `WITH removed AS (
             DELETE FROM inbox WHERE notification_id = ANY($1::bigint[]) RETURNING notification_id
           ), routed AS (
             INSERT INTO deliveries (notification_id, destination, route, kind, next_attempt_at, created_at)
             SELECT t.id, t.destination, t.route, 'notification', $5::bigint, $5::bigint
             FROM unnest($2::bigint[], $3::text[], $4::text[]) AS t(id, destination, route)
             JOIN removed r ON r.notification_id = t.id
             -- Deliveries are sent in id order: a group's messages in the order accepted.
             ORDER BY t.id
           ), enriched AS (
             INSERT INTO enrichments (notification_id, enrichment)
             SELECT t.id, t.enrichment FROM unnest($6::bigint[], $7::text[]) AS t(id, enrichment)
             JOIN removed r ON r.notification_id = t.id
             ON CONFLICT (notification_id) DO UPDATE SET enrichment = excluded.enrichment
           )
           SELECT n.id, n.received_at, n.receiver, n.group_key,
             CASE WHEN n.id = ANY($8::bigint[]) THEN n.payload END AS payload
           FROM removed r JOIN notifications n ON n.id = r.notification_id`,
            [
              records.map((r) => r.id),
              deliveries.map((d) => d.id),
              deliveries.map((d) => d.destination),
              deliveries.map((d) => d.route),
              now,
              enriched.map((r) => r.id),
              enriched.map((r) => r.enrichment),
              // Payloads only for what came without its filing facts.
              records.filter((r) => r.filing === undefined).map((r) => r.id),
            ],
          ),
        );
        // As on SQLite, a savepoint: should filing fail, only the filing is undone and
        // the notifications are still routed (a message without its link beats none).
        // The error goes back to the caller, which counts and logs it.
        await client.query("SAVEPOINT filing");
        try {
          await fileIncidents(client, removed.rows, factsOf(records), this.sql);
          return { unfiled: [] };
        } catch (error) {
          await client.query("ROLLBACK TO SAVEPOINT filing");
          if (isConnectionError(error)) throw error;
          const message = error instanceof Error ? error.message : String(error);
          return { unfiled: removed.rows.map((r) => ({ id: r.id, error: message })) };
        }
      });
    });

  notification: ReceiverStore["notification"] = (id) =>
    this.track(async () => {
      const rows = await this.pool.query<NotificationRow>(
        this.sql.query(
          "SELECT n.id, n.received_at, n.payload, e.enrichment FROM notifications n LEFT JOIN enrichments e ON e.notification_id = n.id WHERE n.id = $1",
          [id],
        ),
      );
      const row = rows.rows[0];
      return row ? toStored(row) : undefined;
    });

  enqueueFollowUp: ReceiverStore["enqueueFollowUp"] = (id, enrichment, now) =>
    this.track(async () => {
      const result = await this.pool.query(
        this.sql.query(
          `INSERT INTO deliveries (notification_id, destination, route, kind, enrichment, next_attempt_at, created_at)
         SELECT DISTINCT $1::bigint, destination, route, 'follow_up', $2, $3::bigint, $3::bigint
         FROM deliveries WHERE notification_id = $1 AND kind = 'notification'`,
          [id, JSON.stringify(enrichment), now],
        ),
      );
      return result.rowCount ?? 0;
    });

  schedule: ReceiverStore["schedule"] = (destinations) =>
    this.track(async () => {
      // One index probe per destination (as on SQLite), not a scan of the backlog.
      const rows = await this.pool.query<{ destination: string; next: number | null }>(
        this.sql.query(
          `SELECT name AS destination,
           (SELECT next_attempt_at FROM deliveries
            WHERE state = 'pending' AND destination = name
            ORDER BY next_attempt_at LIMIT 1) AS next
         FROM unnest($1::text[]) AS t(name)`,
          [destinations],
        ),
      );
      return rows.rows.flatMap((r) =>
        r.next === null ? [] : [{ destination: r.destination, next: r.next }],
      );
    });

  leaseDestination: ReceiverStore["leaseDestination"] = (destination, claim, now) =>
    this.track(async () => {
      const result = await this.pool.query(
        this.sql.query(
          `INSERT INTO destination_leases AS l (destination, owner, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (destination) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE l.owner = excluded.owner OR l.expires_at < $4`,
          [destination, claim.owner, claim.until, now],
        ),
      );
      return (result.rowCount ?? 0) > 0;
    });

  releaseLeases: ReceiverStore["releaseLeases"] = (owner) =>
    this.track(async () => {
      await this.pool.query("DELETE FROM destination_leases WHERE owner = $1", [owner]);
      // What this replica accepted and did not route is taken over at once, not after
      // its claim expired.
      await this.pool.query("UPDATE inbox SET claim_expires = 0 WHERE claimed_by = $1", [owner]);
    });

  due: ReceiverStore["due"] = (destination, now, limit) =>
    this.track(async () => {
      const rows = await this.pool.query<DeliveryRow>(
        this.sql.query(
          `SELECT d.id, d.notification_id, d.destination, d.route, d.kind, d.attempts, d.created_at,
                d.parts_total, d.parts_sent, d.sent_alerts, d.size_limit, n.payload,
                COALESCE(d.enrichment, e.enrichment) AS enrichment,
                i.id AS incident_id, i.token AS incident_token
         FROM deliveries d JOIN notifications n ON n.id = d.notification_id
         LEFT JOIN enrichments e ON e.notification_id = d.notification_id
         LEFT JOIN incident_notifications x ON x.notification_id = d.notification_id
         LEFT JOIN incidents i ON i.id = x.incident_id
         WHERE d.state = 'pending' AND d.destination = $1 AND d.next_attempt_at <= $2
         ORDER BY d.next_attempt_at, d.id LIMIT $3`,
          [destination, now, limit],
        ),
      );
      return rows.rows.map(toPending);
    });

  previouslyFiring: ReceiverStore["previouslyFiring"] = (destination, groupKey) =>
    this.track(async () => {
      const rows = await this.pool.query<{ firing: string }>(
        this.sql.query("SELECT firing FROM group_state WHERE destination = $1 AND group_key = $2", [
          destination,
          groupKey,
        ]),
      );
      const row = rows.rows[0];
      return new Set(row ? (JSON.parse(row.firing) as string[]) : []);
    });

  previouslyFiringGroups: ReceiverStore["previouslyFiringGroups"] = (destination, groupKeys) =>
    this.track(async () => {
      const rows = await this.pool.query<{ group_key: string; firing: string }>(
        this.sql.query(
          "SELECT group_key, firing FROM group_state WHERE destination = $1 AND group_key = ANY($2::text[])",
          [destination, [...new Set(groupKeys)]],
        ),
      );
      return new Map(
        rows.rows.map((r) => [r.group_key, new Set(JSON.parse(r.firing) as string[])]),
      );
    });

  recordOutbox: ReceiverStore["recordOutbox"] = (writes) =>
    this.track(() => applyOutboxWrites(this.pool, writes, this.sql));

  deadLetters: ReceiverStore["deadLetters"] = (destination) =>
    this.track(async () => {
      const rows = await this.pool.query<DeadLetterRow>(
        `SELECT d.id, d.notification_id, d.destination, n.group_key, d.attempts, d.last_error, d.created_at, d.finished_at
         FROM deliveries d JOIN notifications n ON n.id = d.notification_id
         WHERE d.state = 'dead' AND ($1::text IS NULL OR d.destination = $1) ORDER BY d.id`,
        [destination ?? null],
      );
      return rows.rows.map(toDeadLetter);
    });

  replay: ReceiverStore["replay"] = (filter, now) =>
    this.track(async () => {
      const result = await this.pool.query(
        `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = $1, created_at = $1,
           finished_at = NULL, size_limit = NULL
         WHERE state = 'dead' AND ($2::text IS NULL OR destination = $2)
           AND ($3::bigint[] IS NULL OR id = ANY($3::bigint[]))`,
        [now, filter.destination ?? null, filter.ids ? [...filter.ids] : null],
      );
      return result.rowCount ?? 0;
    });

  countsByDestination: ReceiverStore["countsByDestination"] = () =>
    this.track(async () => {
      const rows = await this.pool.query<{
        destination: string;
        state: string;
        count: number;
        oldest: number;
      }>(
        "SELECT destination, state, COUNT(*)::int AS count, MIN(created_at) AS oldest FROM deliveries WHERE state IN ('pending', 'dead') GROUP BY destination, state",
      );
      return rows.rows;
    });

  delivered: ReceiverStore["delivered"] = () =>
    this.track(async () => {
      const rows = await this.pool.query<{
        notification_id: number;
        destination: string;
        kind: string;
      }>(
        "SELECT notification_id, destination, kind FROM deliveries WHERE state = 'delivered' ORDER BY id",
      );
      return rows.rows.map((r) => ({
        notificationId: r.notification_id,
        destination: r.destination,
        kind: r.kind,
      }));
    });

  history: ReceiverStore["history"] = (from) =>
    this.track(async () => {
      const rows = await this.pool.query<{ received_at: number; payload: string }>(
        "SELECT received_at, payload FROM notifications WHERE received_at >= $1 ORDER BY id",
        [from],
      );
      return rows.rows.map((r) => ({
        receivedAt: r.received_at,
        notification: JSON.parse(r.payload) as Notification,
      }));
    });

  prune: ReceiverStore["prune"] = (now, retentionMs, dedupWindowMs) =>
    this.track(() =>
      inTransaction(this.pool, async (client) => {
        const cutoff = now - retentionMs;
        // As history-store.ts: only what no pending delivery or unrouted inbox row needs.
        const old = await client.query<{ id: number }>(
          `SELECT id FROM notifications n WHERE n.received_at < $1
             AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = n.id)
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.state = 'pending')`,
          [cutoff],
        );
        const ids = old.rows.map((r) => r.id);
        if (ids.length > 0) {
          await client.query(
            "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE notification_id = ANY($1::bigint[]))",
            [ids],
          );
          await client.query("DELETE FROM deliveries WHERE notification_id = ANY($1::bigint[])", [
            ids,
          ]);
          await client.query("DELETE FROM enrichments WHERE notification_id = ANY($1::bigint[])", [
            ids,
          ]);
          await client.query("DELETE FROM notifications WHERE id = ANY($1::bigint[])", [ids]);
        }
        await client.query("DELETE FROM dedup_keys WHERE seen_at < $1", [now - dedupWindowMs]);
        await client.query("DELETE FROM actions WHERE at < $1", [cutoff]);
        await client.query(
          "DELETE FROM group_state WHERE updated_at < $1 AND (firing = '[]' OR updated_at < $2)",
          [cutoff, now - 4 * retentionMs],
        );
        return ids.length;
      }),
    );

  unavailableReason(): string | undefined {
    if (this.closed) return "storage is closed";
    return this.lastError === undefined
      ? undefined
      : `the PostgreSQL database is unavailable: ${this.lastError}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ping);
    await this.pool.end();
  }
}

function factsOf(records: readonly RouteRecord[]): Map<number, FilingFacts> {
  const facts = new Map<number, FilingFacts>();
  for (const r of records) if (r.filing) facts.set(r.id, r.filing);
  return facts;
}

/** Errors that say the database cannot be reached (rather than a problem with a query). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string")
    return /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE|57P0[1-3]|08)/.test(code);
  return /timeout|terminated|Connection/i.test((error as Error).message);
}
