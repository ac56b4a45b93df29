import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteIncidentStore } from "../../../webhook-receiver/incidents/incident-store.js";
import { openDatabase } from "../../../webhook-receiver/store/open-database.js";
import type { SqliteDatabase } from "../../../webhook-receiver/store/open-database.js";

let db: SqliteDatabase;
let store: SqliteIncidentStore;
const INCIDENT = 1;
const T0 = Date.parse("2026-11-22T03:00:00.000Z");

/** One incident with two notifications, five deliveries, five attempts and five actions. */
beforeEach(() => {
  db = openDatabase(":memory:", "normal");
  store = new SqliteIncidentStore(db);
  db.prepare(
    "INSERT INTO incidents (id, token, receiver, group_key, alertname, fingerprint, started_at, opened_at, last_at, notifications, alert_keys) VALUES (?, 'k', 'aiwatch', 'g', 'GpuHot', 'f', ?, ?, ?, 2, '[]')",
  ).run(INCIDENT, T0, T0, T0);
  for (const id of [1, 2]) {
    db.prepare(
      "INSERT INTO notifications (id, received_at, receiver, group_key, status, payload) VALUES (?, ?, 'aiwatch', 'g', 'firing', '{}')",
    ).run(id, T0 + id);
    db.prepare(
      "INSERT INTO incident_notifications (notification_id, incident_id) VALUES (?, ?)",
    ).run(id, INCIDENT);
  }
  for (let i = 1; i <= 5; i++) {
    db.prepare(
      "INSERT INTO deliveries (id, notification_id, destination, route, next_attempt_at, created_at, state) VALUES (?, ?, ?, 'r', ?, ?, 'delivered')",
    ).run(i, i <= 2 ? 1 : 2, `dest-${i}`, T0, T0 + i);
    // Attempts recorded out of id order: the newest by time is what counts.
    db.prepare(
      "INSERT INTO attempts (delivery_id, at, outcome, duration_ms) VALUES (?, ?, 'retry', ?)",
    ).run(i, T0 + (6 - i) * 1000, i);
    db.prepare(
      "INSERT INTO actions (at, notification_id, receiver, group_key, action, route, mode, result, method, target) VALUES (?, 2, 'aiwatch', 'g', ?, 'r', 'live', 'called', 'POST', 'x')",
    ).run(T0 + i, `action-${i}`);
  }
});
afterEach(() => db.close());

describe("SqliteIncidentStore reads for a page", () => {
  it("reads every record of a small incident, oldest first", async () => {
    expect((await store.deliveries(INCIDENT)).map((d) => d.destination)).toEqual([
      "dest-1",
      "dest-2",
      "dest-3",
      "dest-4",
      "dest-5",
    ]);
    expect((await store.attempts(INCIDENT)).map((a) => a.at - T0)).toEqual([
      1000, 2000, 3000, 4000, 5000,
    ]);
    expect((await store.actions(INCIDENT)).map((a) => a.action)).toEqual([
      "action-1",
      "action-2",
      "action-3",
      "action-4",
      "action-5",
    ]);
  });

  it("keeps the newest rows when an incident has more than a page shows", async () => {
    expect((await store.deliveries(INCIDENT, 3)).map((d) => d.destination)).toEqual([
      "dest-3",
      "dest-4",
      "dest-5",
    ]);
    // By time: delivery 1's attempt is the newest.
    expect((await store.attempts(INCIDENT, 2)).map((a) => [a.deliveryId, a.at - T0])).toEqual([
      [2, 4000],
      [1, 5000],
    ]);
    expect((await store.actions(INCIDENT, 2)).map((a) => a.action)).toEqual([
      "action-4",
      "action-5",
    ]);
    expect((await store.notifications(INCIDENT)).map((n) => n.id)).toEqual([1, 2]);
  });
});
