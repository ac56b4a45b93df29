import type { Enrichment } from "../pipeline/enrichment.js";
import type { Notification } from "../payload/notification.js";
import type { SqliteDatabase } from "./open-database.js";

export interface PendingDelivery {
  readonly id: number;
  readonly notificationId: number;
  readonly destination: string;
  readonly route: string;
  readonly kind: "notification" | "follow_up";
  readonly attempts: number;
  readonly createdAt: number;
  readonly partsTotal?: number;
  readonly partsSent: number;
  /** Alert indexes (in the notification) that the parts already sent show. */
  readonly sentAlerts: readonly number[];
  readonly sizeLimit?: number;
  readonly notification: Notification;
  /** The follow-up's own enrichment, else the notification's. */
  readonly enrichment?: Enrichment;
  /** The incident the notification is filed under (its page's number and key). */
  readonly incident?: { readonly id: number; readonly token: string };
}

export interface DeadLetter {
  readonly id: number;
  readonly notificationId: number;
  readonly destination: string;
  readonly groupKey: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly createdAt: number;
  readonly finishedAt: number;
}

/**
 * Reads of the outbox and the rare writes (replay); the delivery worker's writes are in
 * outbox-writes.ts, run by the writer thread.
 *
 * The outbox: one row per (notification, destination), pending until the platform
 * accepted it. Rows are never deleted while pending, so a crash at any point leaves them
 * to be sent after restart; what cannot be delivered is kept as a dead letter, visible
 * and replayable, never dropped.
 */
export class OutboxStore {
  private readonly selectDue;
  private readonly selectNextDue;
  private readonly selectGroupState;

  constructor(private readonly db: SqliteDatabase) {
    this.selectDue = db.prepare<[string, number, number], DeliveryRow>(`
      SELECT d.id, d.notification_id, d.destination, d.route, d.kind, d.attempts, d.created_at,
             d.parts_total, d.parts_sent, d.sent_alerts, d.size_limit, n.payload,
             COALESCE(d.enrichment, e.enrichment) AS enrichment,
             i.id AS incident_id, i.token AS incident_token
      FROM deliveries d JOIN notifications n ON n.id = d.notification_id
      LEFT JOIN enrichments e ON e.notification_id = d.notification_id
      LEFT JOIN incident_notifications x ON x.notification_id = d.notification_id
      LEFT JOIN incidents i ON i.id = x.incident_id
      WHERE d.state = 'pending' AND d.destination = ? AND d.next_attempt_at <= ?
      ORDER BY d.next_attempt_at, d.id LIMIT ?`);
    // One MIN per destination is answered from the partial index in O(log n), where a
    // GROUP BY over all destinations would scan the whole backlog.
    this.selectNextDue = db.prepare<[string], { next: number | null }>(
      "SELECT MIN(next_attempt_at) AS next FROM deliveries WHERE state = 'pending' AND destination = ?",
    );
    this.selectGroupState = db.prepare<[string, string], { firing: string }>(
      "SELECT firing FROM group_state WHERE destination = ? AND group_key = ?",
    );
  }

  /**
   * Due deliveries of a destination, earliest due first: the order of the partial index,
   * so the LIMIT stops early instead of sorting the whole backlog.
   */
  due(destination: string, now: number, limit: number): PendingDelivery[] {
    return this.selectDue.all(destination, now, limit).map(toPending);
  }

  /** For each of `destinations` with pending work: the earliest due time. */
  schedule(destinations: readonly string[]): { destination: string; next: number }[] {
    const out: { destination: string; next: number }[] = [];
    for (const destination of destinations) {
      const next = this.selectNextDue.get(destination)?.next;
      if (next !== null && next !== undefined) out.push({ destination, next });
    }
    return out;
  }

  /** Fingerprints firing in the last message of a group to a destination. */
  previouslyFiring(destination: string, groupKey: string): Set<string> {
    const row = this.selectGroupState.get(destination, groupKey);
    return new Set(row ? (JSON.parse(row.firing) as string[]) : []);
  }

  /** The same for several groups; groups with no message recorded yet are absent. */
  previouslyFiringGroups(
    destination: string,
    groupKeys: readonly string[],
  ): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const key of groupKeys) {
      const row = this.selectGroupState.get(destination, key);
      if (row) out.set(key, new Set(JSON.parse(row.firing) as string[]));
    }
    return out;
  }

  deadLetters(destination?: string): DeadLetter[] {
    const rows = this.db
      .prepare<[string | null, string | null], DeadLetterRow>(
        `SELECT d.id, d.notification_id, d.destination, n.group_key, d.attempts, d.last_error, d.created_at, d.finished_at
         FROM deliveries d JOIN notifications n ON n.id = d.notification_id
         WHERE d.state = 'dead' AND (? IS NULL OR d.destination = ?) ORDER BY d.id`,
      )
      .all(destination ?? null, destination ?? null);
    return rows.map(toDeadLetter);
  }

  /** Puts dead letters back in the outbox (all, by id, or by destination). Returns how many. */
  replay(filter: { ids?: readonly number[]; destination?: string }, now: number): number {
    const run = this.db.transaction(() => {
      const dead = this.deadLetters(filter.destination).filter(
        (d) => filter.ids === undefined || filter.ids.includes(d.id),
      );
      const update = this.db.prepare(
        "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, finished_at = NULL, size_limit = NULL WHERE id = ? AND state = 'dead'",
      );
      for (const d of dead) update.run(now, now, d.id);
      return dead.length;
    });
    return run.immediate();
  }

  countsByDestination(): { destination: string; state: string; count: number; oldest: number }[] {
    return this.db
      .prepare<[], { destination: string; state: string; count: number; oldest: number }>(
        "SELECT destination, state, COUNT(*) AS count, MIN(created_at) AS oldest FROM deliveries WHERE state IN ('pending', 'dead') GROUP BY destination, state",
      )
      .all();
  }

  delivered(): { notificationId: number; destination: string; kind: string }[] {
    return this.db
      .prepare<[], { notification_id: number; destination: string; kind: string }>(
        "SELECT notification_id, destination, kind FROM deliveries WHERE state = 'delivered' ORDER BY id",
      )
      .all()
      .map((r) => ({
        notificationId: r.notification_id,
        destination: r.destination,
        kind: r.kind,
      }));
  }
}

export interface DeliveryRow {
  id: number;
  notification_id: number;
  destination: string;
  route: string;
  kind: string;
  attempts: number;
  created_at: number;
  parts_total: number | null;
  parts_sent: number;
  sent_alerts: string | null;
  size_limit: number | null;
  payload: string;
  enrichment: string | null;
  /** The incident the notification was filed under, if any. */
  incident_id?: number | null;
  incident_token?: string | null;
}

export interface DeadLetterRow {
  id: number;
  notification_id: number;
  destination: string;
  group_key: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

/** A dead-letter row as both stores read it. */
export function toDeadLetter(r: DeadLetterRow): DeadLetter {
  return {
    id: r.id,
    notificationId: r.notification_id,
    destination: r.destination,
    groupKey: r.group_key,
    attempts: r.attempts,
    lastError: r.last_error ?? "",
    createdAt: r.created_at,
    finishedAt: r.finished_at ?? r.created_at,
  };
}

/**
 * A row as a PendingDelivery. The notification (and enrichment) are parsed on first use:
 * the delivery worker reads a page of due rows to decide between one message and a digest,
 * and parsing every payload of the page for one message cost more than sending it.
 */
export function toPending(row: DeliveryRow): PendingDelivery {
  let notification: Notification | undefined;
  let enrichment: Enrichment | undefined;
  const pending: PendingDelivery = {
    id: row.id,
    notificationId: row.notification_id,
    destination: row.destination,
    route: row.route,
    kind: row.kind === "follow_up" ? "follow_up" : "notification",
    attempts: row.attempts,
    createdAt: row.created_at,
    ...(row.parts_total !== null ? { partsTotal: row.parts_total } : {}),
    partsSent: row.parts_sent,
    sentAlerts: row.sent_alerts ? (JSON.parse(row.sent_alerts) as number[]) : [],
    ...(row.size_limit !== null ? { sizeLimit: row.size_limit } : {}),
    ...(row.incident_id !== null &&
    row.incident_id !== undefined &&
    row.incident_token !== null &&
    row.incident_token !== undefined
      ? { incident: { id: row.incident_id, token: row.incident_token } }
      : {}),
    get notification(): Notification {
      return (notification ??= JSON.parse(row.payload) as Notification);
    },
  };
  const stored = row.enrichment;
  if (stored)
    Object.defineProperty(pending, "enrichment", {
      enumerable: true,
      get: (): Enrichment => (enrichment ??= JSON.parse(stored) as Enrichment),
    });
  return pending;
}
