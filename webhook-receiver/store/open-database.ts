import Database from "better-sqlite3";
import type { Database as SqliteDatabase } from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createIncidentTables } from "../incidents/incident-schema.js";

export type { SqliteDatabase };

/**
 * Opens (and creates) the receiver's SQLite database in WAL mode. `synchronous = FULL`
 * (the default) makes every commit durable across power loss before the receiver answers
 * 200; `NORMAL` survives process crashes (SIGKILL) but may lose the last commits on power
 * loss (https://www.sqlite.org/pragma.html#pragma_synchronous, WAL mode).
 */
export function openDatabase(path: string, synchronous: "full" | "normal"): SqliteDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
  db.pragma("busy_timeout = 5000");
  migrate(db);
  createIncidentTables(db);
  return db;
}

/**
 * 2: the `actions` history (issue 8). 3: `deliveries.sent_alerts` (which alerts the parts
 * already sent showed). 4: `inbox.claimed_by` and `inbox.claim_expires` (who routes an
 * accepted notification). Every step below is idempotent, so any older file upgrades.
 */
const SCHEMA_VERSION = 4;

function migrate(db: SqliteDatabase): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION)
    throw new Error(
      `database schema version ${version} is newer than this receiver (${SCHEMA_VERSION})`,
    );
  db.exec(`
    CREATE TABLE IF NOT EXISTS notifications (
      id INTEGER PRIMARY KEY,
      received_at INTEGER NOT NULL,
      receiver TEXT NOT NULL,
      group_key TEXT NOT NULL,
      status TEXT NOT NULL,
      payload TEXT NOT NULL
    );
    -- Accepted and not yet routed. A separate small table, so routing never rewrites the
    -- (large) notification row: each row is written once.
    CREATE TABLE IF NOT EXISTS inbox (notification_id INTEGER PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS enrichments (
      notification_id INTEGER PRIMARY KEY,
      enrichment TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS notifications_received ON notifications(received_at);
    CREATE TABLE IF NOT EXISTS dedup_keys (
      key TEXT PRIMARY KEY,
      notification_id INTEGER NOT NULL,
      seen_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS dedup_keys_seen ON dedup_keys(seen_at);
    CREATE TABLE IF NOT EXISTS deliveries (
      id INTEGER PRIMARY KEY,
      notification_id INTEGER NOT NULL,
      destination TEXT NOT NULL,
      route TEXT NOT NULL,
      kind TEXT NOT NULL DEFAULT 'notification',
      enrichment TEXT,
      state TEXT NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      parts_total INTEGER,
      parts_sent INTEGER NOT NULL DEFAULT 0,
      size_limit INTEGER,
      -- JSON array of the alert indexes (in the notification) the parts already sent show.
      sent_alerts TEXT,
      last_error TEXT,
      finished_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(destination, next_attempt_at, id) WHERE state = 'pending';
    CREATE INDEX IF NOT EXISTS deliveries_dead ON deliveries(destination) WHERE state = 'dead';
    CREATE INDEX IF NOT EXISTS deliveries_notification ON deliveries(notification_id);
    CREATE TABLE IF NOT EXISTS attempts (
      id INTEGER PRIMARY KEY,
      delivery_id INTEGER NOT NULL,
      at INTEGER NOT NULL,
      outcome TEXT NOT NULL,
      detail TEXT,
      duration_ms REAL
    );
    CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts(delivery_id);
    -- Automated actions: one row per decision (a live call is written before it is made,
    -- so a crash mid-call leaves a 'started' row instead of a second call after restart).
    CREATE TABLE IF NOT EXISTS actions (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      notification_id INTEGER,
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
      duration_ms REAL
    );
    CREATE INDEX IF NOT EXISTS actions_by_action ON actions(action, mode, at);
    CREATE INDEX IF NOT EXISTS actions_by_group ON actions(action, group_key, at);
    CREATE TABLE IF NOT EXISTS group_state (
      destination TEXT NOT NULL,
      group_key TEXT NOT NULL,
      firing TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (destination, group_key)
    );
  `);
  // Check and change under one write lock: a receiver and the replay CLI opening the same
  // older file at once must not both add the column.
  db.transaction(() => {
    const columns = (table: string): string[] =>
      db
        .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
        .all()
        .map((c) => c.name);
    if (!columns("deliveries").includes("sent_alerts"))
      db.exec("ALTER TABLE deliveries ADD COLUMN sent_alerts TEXT");
    if (!columns("inbox").includes("claimed_by"))
      db.exec(
        "ALTER TABLE inbox ADD COLUMN claimed_by TEXT; ALTER TABLE inbox ADD COLUMN claim_expires INTEGER",
      );
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
