import type { Pool, PoolClient } from "pg";
import { newCapabilityToken } from "../../incidents/capability-token.js";
import { filingFacts, planIncidentFiling } from "../../incidents/incident-filing.js";
import type { FiledIncident, FilingFacts, FilingInput } from "../../incidents/incident-filing.js";
import {
  MAX_HISTORY,
  MAX_PAGE_ACTIONS,
  MAX_PAGE_ATTEMPTS,
  MAX_PAGE_DELIVERIES,
  MAX_PAGE_NOTIFICATIONS,
  newestEnrichment,
  toAction,
  toAttempt,
  toDelivery,
  toIncident,
  toIncidentNotification,
  toListEntry,
  toNoisy,
} from "../../incidents/incident-store.js";
import type {
  ActionDbRow,
  AttemptDbRow,
  DeliveryDbRow,
  IncidentDbRow,
  IncidentStore,
} from "../../incidents/incident-store.js";
import type { Enrichment } from "../../pipeline/enrichment.js";
import type { Notification } from "../../payload/notification.js";
import type { PreparedStatements } from "./prepared-statements.js";

/** An enrichment stored as text that carries evidence (JSON null counts as none). */
const HAS_EVIDENCE = (column: string): string =>
  `COALESCE(jsonb_typeof(${column}::jsonb -> 'evidence'), 'null') <> 'null'`;

/** The incident pages' reads on PostgreSQL: the same queries as on SQLite, one each. */
export class PostgresIncidentStore implements IncidentStore {
  constructor(private readonly pool: Pool) {}

  async get(id: number): ReturnType<IncidentStore["get"]> {
    const rows = await this.pool.query<IncidentDbRow>("SELECT * FROM incidents WHERE id = $1", [
      id,
    ]);
    const row = rows.rows[0];
    return row ? toIncident(row) : undefined;
  }

  async notifications(id: number): ReturnType<IncidentStore["notifications"]> {
    const rows = await this.pool.query<{ id: number; received_at: number; payload: string }>(
      `SELECT n.id, n.received_at, n.payload FROM incident_notifications x
       JOIN notifications n ON n.id = x.notification_id
       WHERE x.incident_id = $1 ORDER BY x.notification_id DESC LIMIT $2`,
      [id, MAX_PAGE_NOTIFICATIONS],
    );
    return rows.rows.reverse().map(toIncidentNotification);
  }

  async deliveries(
    id: number,
    limit = MAX_PAGE_DELIVERIES,
  ): ReturnType<IncidentStore["deliveries"]> {
    const rows = await this.pool.query<DeliveryDbRow>(
      `SELECT d.id, d.notification_id, d.destination, d.kind, d.state, d.attempts, d.created_at,
              d.next_attempt_at, d.finished_at, d.last_error
       FROM incident_notifications x JOIN deliveries d ON d.notification_id = x.notification_id
       WHERE x.incident_id = $1 ORDER BY d.id DESC LIMIT $2`,
      [id, limit],
    );
    return rows.rows.reverse().map(toDelivery);
  }

  async attempts(id: number, limit = MAX_PAGE_ATTEMPTS): ReturnType<IncidentStore["attempts"]> {
    // The send's size is recorded with each attempt (replicas' rows interleave, so the
    // neighbouring rows SQLite looks at say nothing here).
    const rows = await this.pool.query<AttemptDbRow>(
      `SELECT a.delivery_id, a.at, a.outcome, a.detail, a.duration_ms, COALESCE(a.batch_size, 1) AS batch
       FROM incident_notifications x JOIN deliveries d ON d.notification_id = x.notification_id
       JOIN attempts a ON a.delivery_id = d.id
       WHERE x.incident_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2`,
      [id, limit],
    );
    return rows.rows.reverse().map(toAttempt);
  }

  async actions(id: number, limit = MAX_PAGE_ACTIONS): ReturnType<IncidentStore["actions"]> {
    const rows = await this.pool.query<ActionDbRow>(
      `SELECT a.at, a.action, a.mode, a.result, a.detail FROM actions a
       WHERE a.notification_id IN (SELECT notification_id FROM incident_notifications WHERE incident_id = $1)
       ORDER BY a.id DESC LIMIT $2`,
      [id, limit],
    );
    return rows.rows.reverse().map(toAction);
  }

  async enrichment(id: number): Promise<Enrichment | undefined> {
    type Row = { nid: number; enrichment: string };
    const own = (withEvidence: boolean) =>
      this.pool
        .query<Row>(
          `SELECT e.notification_id AS nid, e.enrichment FROM incident_notifications x
           JOIN enrichments e ON e.notification_id = x.notification_id
           WHERE x.incident_id = $1${withEvidence ? ` AND ${HAS_EVIDENCE("e.enrichment")}` : ""}
           ORDER BY x.notification_id DESC LIMIT 1`,
          [id],
        )
        .then((r) => r.rows[0]);
    const [withEvidence, late] = await Promise.all([
      own(true),
      this.pool
        .query<Row>(
          `SELECT d.notification_id AS nid, d.enrichment FROM incident_notifications x
           JOIN deliveries d ON d.notification_id = x.notification_id
           WHERE x.incident_id = $1 AND d.kind = 'follow_up' AND d.enrichment IS NOT NULL
             AND ${HAS_EVIDENCE("d.enrichment")}
           ORDER BY x.notification_id DESC, d.id DESC LIMIT 1`,
          [id],
        )
        .then((r) => r.rows[0]),
    ]);
    const row = newestEnrichment(withEvidence, late) ?? (await own(false));
    return row ? (JSON.parse(row.enrichment) as Enrichment) : undefined;
  }

  async history(
    incident: Parameters<IncidentStore["history"]>[0],
    limit = MAX_HISTORY,
  ): ReturnType<IncidentStore["history"]> {
    if (incident.fingerprint === "") return [];
    const rows = await this.pool.query<IncidentDbRow>(
      "SELECT * FROM incidents WHERE fingerprint = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
      [incident.fingerprint, incident.id, limit],
    );
    return rows.rows.map(toIncident);
  }

  async list(limit: number): ReturnType<IncidentStore["list"]> {
    const rows = await this.pool.query<IncidentDbRow & { headline: string | null }>(
      `SELECT i.*, (SELECT e.enrichment::jsonb ->> 'headline' FROM incident_notifications x
                    JOIN enrichments e ON e.notification_id = x.notification_id
                    WHERE x.incident_id = i.id ORDER BY x.notification_id DESC LIMIT 1) AS headline
       FROM incidents i ORDER BY i.id DESC LIMIT $1`,
      [limit],
    );
    return rows.rows.map(toListEntry);
  }

  async noisiest(from: number, now: number, limit: number): ReturnType<IncidentStore["noisiest"]> {
    const rows = await this.pool.query<{
      alertname: string;
      incidents: number;
      notifications: number;
      firing_ms: number;
    }>(
      `SELECT alertname, COUNT(*)::int AS incidents, SUM(notifications)::int AS notifications,
              SUM(GREATEST(0, COALESCE(closed_at, $1) - started_at))::bigint AS firing_ms
       FROM incidents WHERE opened_at >= $2 GROUP BY alertname
       ORDER BY incidents DESC, notifications DESC, alertname LIMIT $3`,
      [now, from, limit],
    );
    return rows.rows.map(toNoisy);
  }

  async prune(cutoff: number): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        "DELETE FROM incident_notifications x WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = x.notification_id)",
      );
      const removed = await client.query(
        "DELETE FROM incidents i WHERE last_at < $1 AND NOT EXISTS (SELECT 1 FROM incident_notifications x WHERE x.incident_id = i.id)",
        [cutoff],
      );
      await client.query("COMMIT");
      return removed.rowCount ?? 0;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Seeds the hash of a group's advisory lock (apart from other users of advisory locks). */
const GROUP_LOCK_SEED = 7_316_402_119;

/** A notification the routing transaction just took out of the inbox. */
export interface RoutedRow {
  readonly id: number;
  readonly received_at: number;
  readonly receiver: string;
  readonly group_key: string;
  /** Only for a notification routed without its filing facts. */
  readonly payload: string | null;
}

interface OpenDbRow {
  id: number;
  receiver: string;
  group_key: string;
  alertname: string;
  fingerprint: string;
  started_at: number;
  opened_at: number;
  last_at: number;
  notifications: number;
  alert_keys: string;
}

/**
 * Files routed notifications under their incidents, inside the routing transaction (so a
 * message never goes out before its link exists), as incident-writes.ts does on SQLite.
 * Replicas file one group at a time: a transaction-scoped advisory lock per group, taken
 * in one order, serialises two replicas routing the same group's notifications; the
 * unique index on a group's open incident is the backstop. A few statements whatever the
 * number of notifications.
 */
export async function fileIncidents(
  client: PoolClient,
  routed: readonly RoutedRow[],
  facts: ReadonlyMap<number, FilingFacts>,
  sql: PreparedStatements,
): Promise<void> {
  if (routed.length === 0) return;
  const groups = [...new Set(routed.map((r) => JSON.stringify([r.receiver, r.group_key])))];
  const pairs = groups.map((g) => JSON.parse(g) as [string, string]);
  await client.query(
    sql.query(
      `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended(g, ${GROUP_LOCK_SEED}) AS k FROM unnest($1::text[]) AS g
       ORDER BY k) AS locks`,
      [groups],
    ),
  );
  const open = await client.query<OpenDbRow>(
    sql.query(
      `SELECT i.id, i.receiver, i.group_key, i.alertname, i.fingerprint, i.started_at, i.opened_at,
            i.last_at, i.notifications, i.alert_keys
     FROM incidents i JOIN unnest($1::text[], $2::text[]) AS t(r, g)
       ON i.receiver = t.r AND i.group_key = t.g
     WHERE i.closed_at IS NULL`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    ),
  );
  const inputs: FilingInput[] = routed.map((r) => ({
    notificationId: r.id,
    receivedAt: r.received_at,
    receiver: r.receiver,
    groupKey: r.group_key,
    facts: facts.get(r.id) ?? factsFromPayload(r),
  }));
  const plan = planIncidentFiling(
    open.rows.map((r): FiledIncident => ({
      id: r.id,
      receiver: r.receiver,
      groupKey: r.group_key,
      alertname: r.alertname,
      fingerprint: r.fingerprint,
      startedAt: r.started_at,
      openedAt: r.opened_at,
      lastAt: r.last_at,
      notifications: r.notifications,
      alertKeys: JSON.parse(r.alert_keys) as string[],
    })),
    inputs,
  );
  const existing = plan.incidents.filter((i) => i.id > 0);
  const fresh = plan.incidents.filter((i) => i.id < 0);
  // Existing ones first: an episode this batch supersedes closes before its successor
  // opens (the unique index allows one open episode per group).
  if (existing.length > 0)
    await client.query(
      sql.query(
        `UPDATE incidents i SET started_at = t.started_at, last_at = t.last_at,
         closed_at = t.closed_at, close_reason = t.close_reason,
         notifications = t.notifications, alert_keys = t.alert_keys
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::int[], $7::text[])
         AS t(id, started_at, last_at, closed_at, close_reason, notifications, alert_keys)
       WHERE i.id = t.id`,
        columns(existing, [
          (i) => i.id,
          (i) => i.startedAt,
          (i) => i.lastAt,
          (i) => i.closedAt ?? null,
          (i) => i.closeReason ?? null,
          (i) => i.notifications,
          (i) => JSON.stringify(i.alertKeys),
        ]),
      ),
    );
  // New incidents and every link in one statement. The new ones are inserted in plan
  // order: a group's episode that this batch opened and superseded comes before the one
  // that stays open. A link to a new incident names it by its place in that order.
  const ordOf = new Map(fresh.map((incident, i) => [incident.id, i + 1]));
  await client.query(
    sql.query(
      `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                            $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::text[],
                            $11::int[], $12::text[])
         WITH ORDINALITY AS t(token, receiver, group_key, alertname, fingerprint, started_at,
                              opened_at, last_at, closed_at, close_reason, notifications,
                              alert_keys, ord)
     ), ids AS (
       SELECT ord, nextval(pg_get_serial_sequence('incidents', 'id')) AS id FROM input ORDER BY ord
     ), stored AS (
       INSERT INTO incidents (id, token, receiver, group_key, alertname, fingerprint, started_at,
                              opened_at, last_at, closed_at, close_reason, notifications, alert_keys)
       SELECT ids.id, token, receiver, group_key, alertname, fingerprint, started_at, opened_at,
              last_at, closed_at, close_reason, notifications, alert_keys
       FROM input JOIN ids USING (ord)
     )
     INSERT INTO incident_notifications (notification_id, incident_id)
     SELECT l.notification_id, COALESCE(l.existing_id, ids.id)
     FROM unnest($13::bigint[], $14::bigint[], $15::bigint[]) AS l(notification_id, existing_id, ord)
     LEFT JOIN ids ON ids.ord = l.ord
     ON CONFLICT (notification_id) DO NOTHING`,
      [
        ...columns(fresh, [
          () => newCapabilityToken(),
          (i) => i.receiver,
          (i) => i.groupKey,
          (i) => i.alertname,
          (i) => i.fingerprint,
          (i) => i.startedAt,
          (i) => i.openedAt,
          (i) => i.lastAt,
          (i) => i.closedAt ?? null,
          (i) => i.closeReason ?? null,
          (i) => i.notifications,
          (i) => JSON.stringify(i.alertKeys),
        ]),
        ...columns(plan.links, [
          (l) => l.notificationId,
          (l) => (l.incidentId > 0 ? l.incidentId : null),
          (l) => ordOf.get(l.incidentId) ?? null,
        ]),
      ],
    ),
  );
}

function factsFromPayload(row: RoutedRow): FilingFacts {
  if (row.payload === null)
    throw new Error(`internal: notification ${row.id} came without its filing facts or payload`);
  return filingFacts(JSON.parse(row.payload) as Notification);
}

function columns<T>(rows: readonly T[], pick: readonly ((row: T) => unknown)[]): unknown[][] {
  return pick.map((f) => rows.map(f));
}
