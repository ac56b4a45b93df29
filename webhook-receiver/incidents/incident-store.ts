import type { Enrichment } from "../pipeline/enrichment.js";
import type { Notification } from "../payload/notification.js";
import type { SqliteDatabase } from "../store/open-database.js";

export interface IncidentRow {
  readonly id: number;
  readonly token: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly alertname: string;
  readonly fingerprint: string;
  readonly startedAt: number;
  readonly openedAt: number;
  readonly lastAt: number;
  readonly closedAt?: number;
  readonly closeReason?: "resolved" | "superseded";
  readonly notifications: number;
}

export interface IncidentNotification {
  readonly id: number;
  readonly receivedAt: number;
  readonly notification: Notification;
}

export interface IncidentDelivery {
  readonly id: number;
  readonly notificationId: number;
  readonly destination: string;
  readonly kind: string;
  readonly state: string;
  readonly attempts: number;
  readonly createdAt: number;
  readonly nextAttemptAt: number;
  readonly finishedAt?: number;
  readonly lastError?: string;
}

export interface IncidentAttempt {
  readonly deliveryId: number;
  readonly at: number;
  readonly outcome: string;
  readonly detail?: string;
  readonly durationMs?: number;
  /** How many deliveries the same send carried (more than one: a digest). */
  readonly batch: number;
}

export interface IncidentAction {
  readonly at: number;
  readonly action: string;
  readonly mode: string;
  readonly result: string;
  readonly detail?: string;
}

export interface NoisyAlert {
  readonly alertname: string;
  readonly incidents: number;
  readonly notifications: number;
  readonly firingMs: number;
}

export interface IncidentListEntry extends IncidentRow {
  readonly headline?: string;
}

/** Most notifications of one incident read for its page (the newest). */
export const MAX_PAGE_NOTIFICATIONS = 500;
/** Most previous occurrences listed. */
export const MAX_HISTORY = 200;
/** Most deliveries, send attempts and actions on one timeline (each the newest). */
export const MAX_PAGE_DELIVERIES = 1000;
export const MAX_PAGE_ATTEMPTS = 2000;
export const MAX_PAGE_ACTIONS = 500;
/** Rows looked at on each side of an attempt to count the digest it was part of. */
const DIGEST_SCAN = 64;

/**
 * Reads for the incident pages, the same on both stores: SQLite (below) and PostgreSQL
 * (store/postgres/postgres-incidents.ts). The writes run in the routing transaction.
 */
export interface IncidentStore {
  get(id: number): Promise<IncidentRow | undefined>;
  /** The incident's notifications, oldest first (the newest MAX_PAGE_NOTIFICATIONS). */
  notifications(id: number): Promise<IncidentNotification[]>;
  /** The incident's deliveries, oldest first (the newest `limit`). */
  deliveries(id: number, limit?: number): Promise<IncidentDelivery[]>;
  /** The send attempts of its deliveries, oldest first (the newest `limit`). */
  attempts(id: number, limit?: number): Promise<IncidentAttempt[]>;
  /** The automated actions run for its notifications, oldest first (the newest `limit`). */
  actions(id: number, limit?: number): Promise<IncidentAction[]>;
  /** The newest enrichment of the incident, preferring one that carries evidence. */
  enrichment(id: number): Promise<Enrichment | undefined>;
  /** Earlier incidents of the same alert and label set, newest first. */
  history(incident: IncidentRow, limit?: number): Promise<IncidentRow[]>;
  /** The newest incidents, with each one's verdict headline when it was enriched. */
  list(limit: number): Promise<IncidentListEntry[]>;
  /** Alerts with the most incidents opened since `from`. */
  noisiest(from: number, now: number, limit: number): Promise<NoisyAlert[]>;
  /**
   * Drops incidents last seen before `cutoff` and the filing of notifications that
   * history retention already removed. Resolves to the incidents removed.
   */
  prune(cutoff: number): Promise<number>;
}

/** The newest of a notification's own enrichment (with evidence) and its late follow-up's. */
export function newestEnrichment<T extends { nid: number }>(
  own: T | undefined,
  late: T | undefined,
): T | undefined {
  // A follow-up came after its notification's own enrichment (which lacked the evidence).
  return own && late ? (late.nid >= own.nid ? late : own) : (late ?? own);
}

/**
 * The incident reads on SQLite (the writes run in the routing transaction:
 * incident-writes.ts). Every query returns at most a fixed number of rows, the newest when
 * there are more, and is answered from an index on the incident, its notifications or its
 * fingerprint (the noisiest alerts: from the index on when incidents opened).
 */
export class SqliteIncidentStore implements IncidentStore {
  private readonly byId;
  private readonly notificationsOf;
  private readonly deliveriesOf;
  private readonly attemptsOf;
  private readonly ownWithEvidence;
  private readonly ownNewest;
  private readonly followUpEnrichment;
  private readonly historyOf;
  private readonly actionsOf;

  constructor(private readonly db: SqliteDatabase) {
    this.byId = db.prepare<[number], IncidentDbRow>("SELECT * FROM incidents WHERE id = ?");
    this.notificationsOf = db.prepare<
      [number, number],
      { id: number; received_at: number; payload: string }
    >(
      `SELECT n.id, n.received_at, n.payload FROM incident_notifications x JOIN notifications n ON n.id = x.notification_id
       WHERE x.incident_id = ? ORDER BY x.notification_id DESC LIMIT ?`,
    );
    this.deliveriesOf = db.prepare<[number, number], DeliveryDbRow>(
      `SELECT d.id, d.notification_id, d.destination, d.kind, d.state, d.attempts, d.created_at,
              d.next_attempt_at, d.finished_at, d.last_error
       FROM incident_notifications x JOIN deliveries d ON d.notification_id = x.notification_id
       WHERE x.incident_id = ? ORDER BY d.id DESC LIMIT ?`,
    );
    // One send records one attempt row per delivery it carried, in one statement loop, with
    // the same time and measured duration: a digest shows as neighbouring rows alike. The
    // look around each row is bounded (a digest larger than that reads as "at least").
    this.attemptsOf = db.prepare<[number, number], AttemptDbRow>(
      `SELECT a.delivery_id, a.at, a.outcome, a.detail, a.duration_ms,
              (SELECT COUNT(*) FROM attempts b
               WHERE b.id BETWEEN a.id - ${DIGEST_SCAN} AND a.id + ${DIGEST_SCAN} AND b.at = a.at
                 AND b.duration_ms IS a.duration_ms) AS batch
       FROM incident_notifications x JOIN deliveries d ON d.notification_id = x.notification_id
       JOIN attempts a ON a.delivery_id = d.id
       WHERE x.incident_id = ? ORDER BY a.at DESC, a.id DESC LIMIT ?`,
    );
    // The newest analysis: a notification's own enrichment, or the follow-up that brought it
    // when the evidence missed the message's deadline. Walked newest first on the index, so
    // SQLite parses the JSON of the few rows it looks at, not of the whole incident.
    const evidenceFilter = "json_extract(enrichment, '$.evidence') IS NOT NULL";
    const own = (withEvidence: boolean) =>
      db.prepare<[number], { nid: number; enrichment: string }>(
        `SELECT e.notification_id AS nid, e.enrichment FROM incident_notifications x
         JOIN enrichments e ON e.notification_id = x.notification_id
         WHERE x.incident_id = ?${withEvidence ? ` AND ${evidenceFilter}` : ""}
         ORDER BY x.notification_id DESC LIMIT 1`,
      );
    this.ownWithEvidence = own(true);
    this.ownNewest = own(false);
    this.followUpEnrichment = db.prepare<[number], { nid: number; enrichment: string }>(
      `SELECT d.notification_id AS nid, d.enrichment FROM incident_notifications x
       JOIN deliveries d ON d.notification_id = x.notification_id
       WHERE x.incident_id = ? AND d.kind = 'follow_up' AND d.enrichment IS NOT NULL
         AND json_extract(d.enrichment, '$.evidence') IS NOT NULL
       ORDER BY x.notification_id DESC, d.id DESC LIMIT 1`,
    );
    this.historyOf = db.prepare<[string, number, number], IncidentDbRow>(
      "SELECT * FROM incidents WHERE fingerprint = ? AND id < ? ORDER BY id DESC LIMIT ?",
    );
    this.actionsOf = db.prepare<[number, number], ActionDbRow>(
      `SELECT a.at, a.action, a.mode, a.result, a.detail FROM actions a
       WHERE a.notification_id IN (SELECT notification_id FROM incident_notifications WHERE incident_id = ?)
       ORDER BY a.id DESC LIMIT ?`,
    );
  }

  get(id: number): Promise<IncidentRow | undefined> {
    const row = this.byId.get(id);
    return Promise.resolve(row ? toIncident(row) : undefined);
  }

  notifications(id: number): Promise<IncidentNotification[]> {
    return Promise.resolve(
      this.notificationsOf.all(id, MAX_PAGE_NOTIFICATIONS).reverse().map(toIncidentNotification),
    );
  }

  deliveries(id: number, limit = MAX_PAGE_DELIVERIES): Promise<IncidentDelivery[]> {
    return Promise.resolve(this.deliveriesOf.all(id, limit).reverse().map(toDelivery));
  }

  attempts(id: number, limit = MAX_PAGE_ATTEMPTS): Promise<IncidentAttempt[]> {
    return Promise.resolve(this.attemptsOf.all(id, limit).reverse().map(toAttempt));
  }

  actions(id: number, limit = MAX_PAGE_ACTIONS): Promise<IncidentAction[]> {
    return Promise.resolve(this.actionsOf.all(id, limit).reverse().map(toAction));
  }

  enrichment(id: number): Promise<Enrichment | undefined> {
    const newest = newestEnrichment(this.ownWithEvidence.get(id), this.followUpEnrichment.get(id));
    const row = newest ?? this.ownNewest.get(id);
    return Promise.resolve(row ? (JSON.parse(row.enrichment) as Enrichment) : undefined);
  }

  history(incident: IncidentRow, limit = MAX_HISTORY): Promise<IncidentRow[]> {
    if (incident.fingerprint === "") return Promise.resolve([]);
    return Promise.resolve(
      this.historyOf.all(incident.fingerprint, incident.id, limit).map(toIncident),
    );
  }

  list(limit: number): Promise<IncidentListEntry[]> {
    const rows = this.db
      .prepare<[number], IncidentDbRow & { headline: string | null }>(
        `SELECT i.*, (SELECT json_extract(e.enrichment, '$.headline') FROM incident_notifications x
                      JOIN enrichments e ON e.notification_id = x.notification_id
                      WHERE x.incident_id = i.id ORDER BY x.notification_id DESC LIMIT 1) AS headline
         FROM incidents i ORDER BY i.id DESC LIMIT ?`,
      )
      .all(limit)
      .map(toListEntry);
    return Promise.resolve(rows);
  }

  noisiest(from: number, now: number, limit: number): Promise<NoisyAlert[]> {
    const rows = this.db
      .prepare<
        [number, number, number],
        { alertname: string; incidents: number; notifications: number; firing_ms: number }
      >(
        `SELECT alertname, COUNT(*) AS incidents, SUM(notifications) AS notifications,
                SUM(MAX(0, COALESCE(closed_at, ?) - started_at)) AS firing_ms
         FROM incidents WHERE opened_at >= ? GROUP BY alertname
         ORDER BY incidents DESC, notifications DESC, alertname LIMIT ?`,
      )
      .all(now, from, limit)
      .map(toNoisy);
    return Promise.resolve(rows);
  }

  prune(cutoff: number): Promise<number> {
    const run = this.db.transaction(() => {
      this.db.exec(
        "DELETE FROM incident_notifications WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = notification_id)",
      );
      return this.db
        .prepare(
          "DELETE FROM incidents WHERE last_at < ? AND NOT EXISTS (SELECT 1 FROM incident_notifications x WHERE x.incident_id = incidents.id)",
        )
        .run(cutoff).changes;
    });
    return Promise.resolve(run.immediate());
  }
}

export interface IncidentDbRow {
  id: number;
  token: string;
  receiver: string;
  group_key: string;
  alertname: string;
  fingerprint: string;
  started_at: number;
  opened_at: number;
  last_at: number;
  closed_at: number | null;
  close_reason: string | null;
  notifications: number;
}

export interface DeliveryDbRow {
  id: number;
  notification_id: number;
  destination: string;
  kind: string;
  state: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  finished_at: number | null;
  last_error: string | null;
}

export interface AttemptDbRow {
  delivery_id: number;
  at: number;
  outcome: string;
  detail: string | null;
  duration_ms: number | null;
  batch: number;
}

export interface ActionDbRow {
  at: number;
  action: string;
  mode: string;
  result: string;
  detail: string | null;
}

export function toIncidentNotification(r: {
  id: number;
  received_at: number;
  payload: string;
}): IncidentNotification {
  return {
    id: r.id,
    receivedAt: r.received_at,
    notification: JSON.parse(r.payload) as Notification,
  };
}

export function toDelivery(r: DeliveryDbRow): IncidentDelivery {
  return {
    id: r.id,
    notificationId: r.notification_id,
    destination: r.destination,
    kind: r.kind,
    state: r.state,
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}

export function toAttempt(r: AttemptDbRow): IncidentAttempt {
  return {
    deliveryId: r.delivery_id,
    at: r.at,
    outcome: r.outcome,
    ...(r.detail !== null ? { detail: r.detail } : {}),
    ...(r.duration_ms !== null ? { durationMs: r.duration_ms } : {}),
    batch: r.batch,
  };
}

export function toAction(r: ActionDbRow): IncidentAction {
  return {
    at: r.at,
    action: r.action,
    mode: r.mode,
    result: r.result,
    ...(r.detail !== null ? { detail: r.detail } : {}),
  };
}

export function toListEntry(r: IncidentDbRow & { headline: string | null }): IncidentListEntry {
  return { ...toIncident(r), ...(r.headline !== null ? { headline: r.headline } : {}) };
}

export function toNoisy(r: {
  alertname: string;
  incidents: number;
  notifications: number;
  firing_ms: number;
}): NoisyAlert {
  return {
    alertname: r.alertname,
    incidents: r.incidents,
    notifications: r.notifications,
    firingMs: r.firing_ms,
  };
}

export function toIncident(r: IncidentDbRow): IncidentRow {
  return {
    id: r.id,
    token: r.token,
    receiver: r.receiver,
    groupKey: r.group_key,
    alertname: r.alertname,
    fingerprint: r.fingerprint,
    startedAt: r.started_at,
    openedAt: r.opened_at,
    lastAt: r.last_at,
    ...(r.closed_at !== null ? { closedAt: r.closed_at } : {}),
    ...(r.close_reason === "resolved" || r.close_reason === "superseded"
      ? { closeReason: r.close_reason }
      : {}),
    notifications: r.notifications,
  };
}
