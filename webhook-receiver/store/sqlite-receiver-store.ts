import { ActionStore } from "../actions/action-store.js";
import { SqliteIncidentStore } from "../incidents/incident-store.js";
import { HistoryStore } from "./history-store.js";
import { startInboxWriter } from "./inbox-writer.js";
import type { InboxWriter } from "./inbox-writer.js";
import { NotificationStore } from "./notification-store.js";
import { openDatabase } from "./open-database.js";
import type { SqliteDatabase } from "./open-database.js";
import { OutboxStore } from "./outbox-store.js";
import { attempt, sqliteDeliveryReads } from "./sqlite-delivery-reads.js";
import type { ActionHistory, DeliveryReads, ReceiverStore } from "./receiver-store.js";

/**
 * The embedded store: one SQLite file owned by one receiver process. Frequent writes go
 * through the writer thread (group commit, inbox-writer.ts); reads and rare writes
 * (replay, follow-ups, pruning, actions) use the main connection.
 */
export class SqliteReceiverStore implements ReceiverStore {
  readonly kind = "sqlite";
  readonly notifications: NotificationStore;
  readonly outbox: OutboxStore;
  readonly historyStore: HistoryStore;
  readonly actionStore: ActionStore;
  readonly actions: ActionHistory;
  readonly incidents: SqliteIncidentStore;
  readonly schedule: DeliveryReads["schedule"];
  readonly due: DeliveryReads["due"];
  readonly previouslyFiringGroups: DeliveryReads["previouslyFiringGroups"];
  readonly leaseDestination: DeliveryReads["leaseDestination"];
  readonly releaseLeases: DeliveryReads["releaseLeases"];

  private constructor(
    readonly database: SqliteDatabase,
    private readonly writer: InboxWriter,
  ) {
    this.notifications = new NotificationStore(database);
    this.outbox = new OutboxStore(database);
    const reads = sqliteDeliveryReads(this.outbox);
    this.schedule = reads.schedule;
    this.due = reads.due;
    this.previouslyFiringGroups = reads.previouslyFiringGroups;
    this.leaseDestination = reads.leaseDestination;
    this.releaseLeases = reads.releaseLeases;
    this.historyStore = new HistoryStore(database);
    this.actionStore = new ActionStore(database);
    this.actions = asyncActions(this.actionStore);
    this.incidents = new SqliteIncidentStore(database);
  }

  /** Opens the file (creating and migrating it) and starts the writer thread. */
  static open(
    path: string,
    synchronous: "full" | "normal",
    startWriter: typeof startInboxWriter = startInboxWriter,
  ): SqliteReceiverStore {
    const database = openDatabase(path, synchronous);
    return new SqliteReceiverStore(database, startWriter(path, synchronous, database));
  }

  accept: ReceiverStore["accept"] = (records, windowStart, claim) =>
    this.writer.accept(records, windowStart, claim);
  claimUnrouted: ReceiverStore["claimUnrouted"] = (claim, now, limit) =>
    attempt(() => this.notifications.claimUnrouted(claim, now, limit));
  route: ReceiverStore["route"] = (records, now) => this.writer.route(records, now);
  notification: ReceiverStore["notification"] = (id) => attempt(() => this.notifications.get(id));
  enqueueFollowUp: ReceiverStore["enqueueFollowUp"] = (id, enrichment, now) =>
    attempt(() => this.notifications.enqueueFollowUp(id, enrichment, now));
  previouslyFiring: ReceiverStore["previouslyFiring"] = (destination, groupKey) =>
    attempt(() => this.outbox.previouslyFiring(destination, groupKey));
  recordOutbox: ReceiverStore["recordOutbox"] = (writes) => this.writer.outbox(writes);
  deadLetters: ReceiverStore["deadLetters"] = (destination) =>
    attempt(() => this.outbox.deadLetters(destination));
  replay: ReceiverStore["replay"] = (filter, now) => attempt(() => this.outbox.replay(filter, now));
  countsByDestination: ReceiverStore["countsByDestination"] = () =>
    attempt(() => this.outbox.countsByDestination());
  delivered: ReceiverStore["delivered"] = () => attempt(() => this.outbox.delivered());
  history: ReceiverStore["history"] = (from) => attempt(() => this.historyStore.since(from));
  prune: ReceiverStore["prune"] = (now, retentionMs, dedupWindowMs) =>
    attempt(() => this.historyStore.prune(now, retentionMs, dedupWindowMs));

  unavailableReason(): string | undefined {
    if (!this.database.open) return "storage is closed";
    const failure = this.writer.failure();
    return failure === undefined ? undefined : `storage is unavailable: ${failure}`;
  }

  async close(): Promise<void> {
    await this.writer.close();
    if (this.database.open) this.database.close();
  }
}

function asyncActions(store: ActionStore): ActionHistory {
  return {
    insert: (record) => attempt(() => store.insert(record)),
    finish: (id, result, status, detail, durationMs) =>
      attempt(() => store.finish(id, result, status, detail, durationMs)),
    ranSince: (action, mode, since) => attempt(() => store.ranSince(action, mode, since)),
    lastRunFor: (action, receiver, groupKey, mode, since) =>
      attempt(() => store.lastRunFor(action, receiver, groupKey, mode, since)),
    since: (from) => attempt(() => store.since(from)),
  };
}
