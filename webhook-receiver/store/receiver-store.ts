import type { ActionRecord } from "../actions/action-store.js";
import type { ActionMethod, ActionResult } from "../actions/action-config.js";
import type { IncidentStore } from "../incidents/incident-store.js";
import type { Enrichment } from "../pipeline/enrichment.js";
import type { HistoryEntry } from "./history-store.js";
import type { AcceptRecord, AcceptResult, RouteOutcome, RouteRecord } from "./inbox-writes.js";
import type { StoredNotification } from "./notification-store.js";
import type { DeadLetter, PendingDelivery } from "./outbox-store.js";
import type { OutboxWrite } from "./outbox-writes.js";

export type { AcceptRecord, AcceptResult, RouteOutcome, RouteRecord, OutboxWrite };
export type { DeadLetter, PendingDelivery, StoredNotification, HistoryEntry };

/**
 * Who holds a claim (an inbox row being enriched and routed, a destination being drained)
 * and until when. `owner` names one running receiver process (host, pid, start); a claim
 * of a process that died expires at `until`, and another replica takes the work over.
 */
export interface Claim {
  readonly owner: string;
  readonly until: number;
}

/** The action history the automated actions count their rate limits and cooldowns from. */
export interface ActionHistory {
  insert(record: Omit<ActionRecord, "id" | "status" | "durationMs">): Promise<number>;
  finish(
    id: number,
    result: ActionResult,
    status: number | undefined,
    detail: string,
    durationMs: number,
  ): Promise<void>;
  ranSince(action: string, mode: "live" | "dry_run", since: number): Promise<number>;
  lastRunFor(
    action: string,
    receiver: string,
    groupKey: string,
    mode: "live" | "dry_run",
    since: number,
  ): Promise<number | undefined>;
  since(from: number): Promise<ActionRecord[]>;
}

export type { ActionMethod };

/**
 * Everything the receiver keeps, behind one interface with two implementations: SQLite
 * (one replica, the embedded default; sqlite-receiver-store.ts) and PostgreSQL (several
 * replicas sharing one database; postgres/postgres-receiver-store.ts). The pipeline, the
 * HTTP API and the CLI use only this; the contract tests run against both.
 *
 * Exactly once across replicas rests on two kinds of claim: an accepted notification is
 * claimed by the replica that accepted it until it is routed (another replica takes it
 * over only once the claim expired), and a destination's outbox is drained by one replica
 * at a time, the holder of its lease. Routing and delivery records are idempotent besides:
 * a notification routed twice gets its deliveries once, a delivery recorded twice changes
 * once.
 */
export interface ReceiverStore {
  readonly kind: "sqlite" | "postgres";

  /**
   * Persists notifications with the dedup check, atomically, in one commit; each result
   * says whether it was new or a duplicate (of which id). New ones are claimed by `claim`
   * for routing. Resolves only once durable. Payloads given as bytes are handed over: a
   * store may transfer them to a thread of its own, leaving the caller's views empty.
   */
  accept(
    records: readonly AcceptRecord[],
    windowStart: number,
    claim: Claim,
  ): Promise<AcceptResult[]>;
  /**
   * Claims accepted notifications not yet routed whose claim no live process holds
   * (expired, or, on SQLite, held by an earlier run of the one process), oldest first.
   */
  claimUnrouted(claim: Claim, now: number, limit: number): Promise<StoredNotification[]>;
  /**
   * Records routing (deliveries, enrichment) of notifications still in the inbox, once
   * each, and files them under their incidents; says which could not be filed (routed all
   * the same: their messages go without the incident link).
   */
  route(records: readonly RouteRecord[], now: number): Promise<RouteOutcome>;
  notification(id: number): Promise<StoredNotification | undefined>;
  /** Queues a follow-up to every destination a routed notification went to. */
  enqueueFollowUp(id: number, enrichment: Enrichment, now: number): Promise<number>;

  /** For each of `destinations` with pending work: the earliest due time. */
  schedule(destinations: readonly string[]): Promise<{ destination: string; next: number }[]>;
  /**
   * Takes or renews the lease on draining a destination's outbox; false while another live
   * process holds it. SQLite has one process, which always holds it.
   */
  leaseDestination(destination: string, claim: Claim, now: number): Promise<boolean>;
  /** Gives up the leases `owner` holds (a clean stop), so another replica goes on at once. */
  releaseLeases(owner: string): Promise<void>;
  due(destination: string, now: number, limit: number): Promise<PendingDelivery[]>;
  previouslyFiring(destination: string, groupKey: string): Promise<Set<string>>;
  /** The same for several groups at once (a digest), by group key; absent: none. */
  previouslyFiringGroups(
    destination: string,
    groupKeys: readonly string[],
  ): Promise<Map<string, Set<string>>>;
  /** The delivery worker's records of a send, in one transaction. */
  recordOutbox(writes: readonly OutboxWrite[]): Promise<void>;
  deadLetters(destination?: string): Promise<DeadLetter[]>;
  replay(filter: { ids?: readonly number[]; destination?: string }, now: number): Promise<number>;
  countsByDestination(): Promise<
    { destination: string; state: string; count: number; oldest: number }[]
  >;
  delivered(): Promise<{ notificationId: number; destination: string; kind: string }[]>;

  /** Kept notifications received at or after `from`, oldest first. */
  history(from: number): Promise<HistoryEntry[]>;
  prune(now: number, retentionMs: number, dedupWindowMs: number): Promise<number>;
  readonly actions: ActionHistory;
  /**
   * The incident pages' reads. Incidents are filed by `route`, in its transaction, so a
   * delivery read by `due` carries its incident's link.
   */
  readonly incidents: IncidentStore;

  /** Why no write can succeed now (connection or writer gone, database unreachable), if so. */
  unavailableReason(): string | undefined;
  close(): Promise<void>;
}

/** What the delivery worker reads of the store, and its destination leases. */
export type DeliveryReads = Pick<
  ReceiverStore,
  "schedule" | "due" | "previouslyFiringGroups" | "leaseDestination" | "releaseLeases"
>;
