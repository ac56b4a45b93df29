import type { Notification } from "../payload/notification.js";
import type { SqliteDatabase } from "../store/open-database.js";
import { newCapabilityToken } from "./capability-token.js";
import { continues, filingFacts, MAX_ALERT_KEYS, resolvedAt } from "./incident-filing.js";

interface OpenIncident {
  id: number;
  alert_keys: string;
  started_at: number;
}

/**
 * Files a routed notification under its incident, inside the routing transaction (so a
 * message never goes out before its link exists). Routing runs in accept order, so the
 * group's episodes are cut the same way whatever batches they were routed in. Idempotent:
 * a notification already filed is left as it is. Returns why filing failed, if it did.
 */
export function prepareIncidentWrites(
  db: SqliteDatabase,
): (notificationId: number) => string | undefined {
  const filed = db.prepare<[number], { incident_id: number }>(
    "SELECT incident_id FROM incident_notifications WHERE notification_id = ?",
  );
  const notification = db.prepare<
    [number],
    { received_at: number; receiver: string; group_key: string; payload: string }
  >("SELECT received_at, receiver, group_key, payload FROM notifications WHERE id = ?");
  const open = db.prepare<[string, string], OpenIncident>(
    "SELECT id, alert_keys, started_at FROM incidents WHERE receiver = ? AND group_key = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1",
  );
  const supersede = db.prepare(
    "UPDATE incidents SET closed_at = last_at, close_reason = 'superseded' WHERE id = ?",
  );
  const insert = db.prepare(
    "INSERT INTO incidents (token, receiver, group_key, alertname, fingerprint, started_at, opened_at, last_at, notifications, alert_keys) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
  );
  const update = db.prepare(
    "UPDATE incidents SET last_at = ?, started_at = ?, notifications = notifications + 1, alert_keys = ? WHERE id = ?",
  );
  const close = db.prepare(
    "UPDATE incidents SET closed_at = ?, close_reason = 'resolved' WHERE id = ?",
  );
  const link = db.prepare(
    "INSERT INTO incident_notifications (notification_id, incident_id) VALUES (?, ?)",
  );
  const file = db.transaction((notificationId: number): void => {
    if (filed.get(notificationId)) return;
    const row = notification.get(notificationId);
    if (!row) return;
    const facts = filingFacts(JSON.parse(row.payload) as Notification);
    const { keys, started } = facts;
    const current = open.get(row.receiver, row.group_key);
    let id: number;
    if (current && continues(JSON.parse(current.alert_keys) as string[], facts.resolved, keys)) {
      id = current.id;
      const merged = [...new Set([...(JSON.parse(current.alert_keys) as string[]), ...keys])];
      update.run(
        row.received_at,
        Number.isFinite(started) ? Math.min(started, current.started_at) : current.started_at,
        JSON.stringify(merged.slice(-MAX_ALERT_KEYS)),
        id,
      );
    } else {
      if (current) supersede.run(current.id);
      id = Number(
        insert.run(
          newCapabilityToken(),
          row.receiver,
          row.group_key,
          facts.alertname,
          facts.fingerprint,
          Number.isFinite(started) ? started : row.received_at,
          row.received_at,
          row.received_at,
          JSON.stringify(keys.slice(-MAX_ALERT_KEYS)),
        ).lastInsertRowid,
      );
    }
    if (facts.resolved) close.run(resolvedAt(facts, row.received_at), id);
    link.run(notificationId, id);
  });
  return (notificationId) => {
    // Inside the routing transaction this is a savepoint: should filing fail, only the
    // filing is rolled back, and the notification is still routed (a message without its
    // link beats no message). The error goes back to the caller, which counts and logs it
    // (this may run in the writer thread, which has neither metrics nor a logger).
    try {
      file(notificationId);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
}
