import type { SqliteDatabase } from "../store/open-database.js";

/**
 * The incident tables. An incident is one episode of an Alertmanager group: it opens with
 * the group's first notification and closes when a resolved one arrives (or when the group
 * fires again with none of its alerts, after its resolution went unsent). Every statement
 * is idempotent, so each connection runs it when it opens the database.
 *
 * - incidents: one row per episode, with the capability token of its link.
 * - incident_notifications: which episode each routed notification belongs to.
 */
export function createIncidentTables(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS incidents (
      id INTEGER PRIMARY KEY,
      token TEXT NOT NULL,
      receiver TEXT NOT NULL,
      group_key TEXT NOT NULL,
      alertname TEXT NOT NULL,
      -- The fingerprint of the episode's first firing alert: its previous occurrences share it.
      fingerprint TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      opened_at INTEGER NOT NULL,
      last_at INTEGER NOT NULL,
      closed_at INTEGER,
      close_reason TEXT,
      notifications INTEGER NOT NULL DEFAULT 0,
      -- JSON array of "fingerprint@startsAt" of the alerts seen, to tell a repeat from a new episode.
      alert_keys TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS incidents_open ON incidents(receiver, group_key) WHERE closed_at IS NULL;
    CREATE INDEX IF NOT EXISTS incidents_fingerprint ON incidents(fingerprint, id);
    CREATE INDEX IF NOT EXISTS incidents_opened ON incidents(opened_at);
    CREATE TABLE IF NOT EXISTS incident_notifications (
      notification_id INTEGER PRIMARY KEY,
      incident_id INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS incident_notifications_incident ON incident_notifications(incident_id);
  `);
}
