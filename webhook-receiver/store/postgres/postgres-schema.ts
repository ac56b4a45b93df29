import type { Pool } from "pg";

/**
 * The receiver's PostgreSQL schema, as numbered steps. The rule that keeps rolling updates
 * safe (replicas of two versions running at once against one database):
 *
 * - A step only expands: new tables, new columns that are nullable or have a default, new
 *   indexes. It never drops, renames or retypes what a running older version reads or
 *   writes, and never adds a constraint older writers would violate.
 * - Each step records the oldest receiver schema version that can still run against the
 *   database after it (`min_compatible`). Expanding steps keep it; a contracting change
 *   (dropping what an old version used) ships as its own later step, once no version below
 *   its `min_compatible` runs any more, and raises it.
 * - A receiver starts against a newer schema when its own version is at least the
 *   database's `min_compatible` (the new replicas of a rolling update migrated first, the
 *   old ones keep running), and refuses to start with a clear error otherwise.
 * - Steps run under an advisory lock, each in its own transaction with its record, so
 *   replicas starting together apply each step exactly once.
 */
export const POSTGRES_SCHEMA_VERSION = 2;

interface Step {
  readonly version: number;
  readonly minCompatible: number;
  readonly sql: string;
}

const STEPS: readonly Step[] = [
  {
    version: 1,
    minCompatible: 1,
    sql: `
      CREATE TABLE IF NOT EXISTS notifications (
        id BIGSERIAL PRIMARY KEY,
        received_at BIGINT NOT NULL,
        receiver TEXT NOT NULL,
        group_key TEXT NOT NULL,
        status TEXT NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS notifications_received ON notifications(received_at);
      -- Accepted and not yet routed, with the replica that routes it until when.
      CREATE TABLE IF NOT EXISTS inbox (
        notification_id BIGINT PRIMARY KEY,
        claimed_by TEXT,
        claim_expires BIGINT
      );
      CREATE TABLE IF NOT EXISTS enrichments (
        notification_id BIGINT PRIMARY KEY,
        enrichment TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS dedup_keys (
        key TEXT PRIMARY KEY,
        notification_id BIGINT NOT NULL,
        seen_at BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS dedup_keys_seen ON dedup_keys(seen_at);
      CREATE TABLE IF NOT EXISTS deliveries (
        id BIGSERIAL PRIMARY KEY,
        notification_id BIGINT NOT NULL,
        destination TEXT NOT NULL,
        route TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'notification',
        enrichment TEXT,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        parts_total INTEGER,
        parts_sent INTEGER NOT NULL DEFAULT 0,
        size_limit INTEGER,
        sent_alerts TEXT,
        last_error TEXT,
        finished_at BIGINT
      );
      CREATE INDEX IF NOT EXISTS deliveries_pending
        ON deliveries(destination, next_attempt_at, id) WHERE state = 'pending';
      CREATE INDEX IF NOT EXISTS deliveries_dead ON deliveries(destination) WHERE state = 'dead';
      CREATE INDEX IF NOT EXISTS deliveries_notification ON deliveries(notification_id);
      CREATE TABLE IF NOT EXISTS attempts (
        id BIGSERIAL PRIMARY KEY,
        delivery_id BIGINT NOT NULL,
        at BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT,
        duration_ms DOUBLE PRECISION
      );
      CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts(delivery_id);
      CREATE TABLE IF NOT EXISTS actions (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        notification_id BIGINT,
        receiver TEXT NOT NULL,
        group_key TEXT NOT NULL,
        action TEXT NOT NULL,
        route TEXT NOT NULL,
        mode TEXT NOT NULL,
        result TEXT NOT NULL,
        method TEXT NOT NULL,
        target TEXT NOT NULL,
        status INTEGER,
        detail TEXT,
        duration_ms DOUBLE PRECISION
      );
      CREATE INDEX IF NOT EXISTS actions_by_action ON actions(action, mode, at);
      CREATE INDEX IF NOT EXISTS actions_by_group ON actions(action, group_key, at);
      CREATE TABLE IF NOT EXISTS group_state (
        destination TEXT NOT NULL,
        group_key TEXT NOT NULL,
        firing TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (destination, group_key)
      );
      -- Which replica drains a destination's outbox, until when.
      CREATE TABLE IF NOT EXISTS destination_leases (
        destination TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );`,
  },
  {
    // Incident pages (incidents/incident-schema.ts has the SQLite twin). Only additions, so
    // a version-1 replica keeps running beside it: it routes without filing (its messages
    // carry no incident link) and records attempts without their send's size.
    version: 2,
    minCompatible: 1,
    sql: `
      CREATE TABLE IF NOT EXISTS incidents (
        id BIGSERIAL PRIMARY KEY,
        token TEXT NOT NULL,
        receiver TEXT NOT NULL,
        group_key TEXT NOT NULL,
        alertname TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        opened_at BIGINT NOT NULL,
        last_at BIGINT NOT NULL,
        closed_at BIGINT,
        close_reason TEXT,
        notifications INTEGER NOT NULL DEFAULT 0,
        alert_keys TEXT NOT NULL
      );
      -- One open episode per group, whichever replica files it.
      CREATE UNIQUE INDEX IF NOT EXISTS incidents_open
        ON incidents(receiver, group_key) WHERE closed_at IS NULL;
      CREATE INDEX IF NOT EXISTS incidents_fingerprint ON incidents(fingerprint, id);
      CREATE INDEX IF NOT EXISTS incidents_opened ON incidents(opened_at);
      CREATE TABLE IF NOT EXISTS incident_notifications (
        notification_id BIGINT PRIMARY KEY,
        incident_id BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS incident_notifications_incident
        ON incident_notifications(incident_id);
      -- How many deliveries the send of this attempt carried (a digest: more than one).
      -- SQLite tells a digest by neighbouring rows; here replicas' rows interleave.
      ALTER TABLE attempts ADD COLUMN IF NOT EXISTS batch_size INTEGER;`,
  },
];

/** Any constant: the advisory lock all replicas' migrations take. */
const MIGRATION_LOCK = 7_316_402_118;

/**
 * Brings the database to this receiver's schema (or accepts a newer one it is compatible
 * with). `version` is for tests of the rolling-update rule: a receiver of that version.
 */
export async function migratePostgres(
  pool: Pool,
  version = POSTGRES_SCHEMA_VERSION,
  steps: readonly Step[] = STEPS,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS aiwatch_schema (
      version INTEGER PRIMARY KEY,
      min_compatible INTEGER NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const current = await client.query<{ version: number | null; min_compatible: number | null }>(
      "SELECT MAX(version) AS version, MAX(min_compatible) AS min_compatible FROM aiwatch_schema",
    );
    const row = current.rows[0];
    const dbVersion = row?.version ?? 0;
    const minCompatible = row?.min_compatible ?? 0;
    if (dbVersion > version) {
      if (minCompatible > version)
        throw new Error(
          `the database schema is at version ${dbVersion} and needs a receiver of schema version ${minCompatible} or newer; this receiver has ${version}: finish the upgrade with a newer receiver`,
        );
      return;
    }
    for (const step of steps) {
      if (step.version <= dbVersion || step.version > version) continue;
      await client.query("BEGIN");
      try {
        await client.query(step.sql);
        await client.query("INSERT INTO aiwatch_schema (version, min_compatible) VALUES ($1, $2)", [
          step.version,
          step.minCompatible,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

export type { Step as PostgresMigrationStep };
