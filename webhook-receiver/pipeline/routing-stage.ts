import { setMaxListeners } from "node:events";
import type { Logger } from "../../core/log/logger.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import type { FilingFacts } from "../incidents/incident-filing.js";
import type { Notification } from "../payload/notification.js";
import { routeNotification } from "../routing/route-notification.js";
import type { RoutedDestination } from "../routing/route-notification.js";
import type { RoutingResult, StoredNotification } from "../store/notification-store.js";
import type { Enricher, Enrichment, EnrichmentContext } from "./enrichment.js";

export interface RoutingStageDeps {
  /**
   * Claims accepted notifications that no live process routes (a crash left them, or a
   * replica that died), oldest first.
   */
  readonly claimUnrouted: (limit: number) => Promise<StoredNotification[]>;
  /** How often to look for such notifications (replicas die while others run). */
  readonly orphanScanMs?: number;
  /** Persists routing results (deliveries) in one transaction. */
  readonly complete: (results: readonly RoutingResult[], now: number) => Promise<void>;
  readonly enricher: Enricher;
  readonly config: () => ReceiverConfig;
  readonly logger: Logger;
  readonly now: () => number;
  readonly onEnrichmentFailure: () => void;
  readonly onStorageError: () => void;
  /** Called after deliveries were created, to wake the delivery worker. */
  readonly onRouted: () => void;
  /** Queues a follow-up for a routed notification (late evidence). */
  readonly followUp: (id: number, enrichment: Enrichment) => void;
  /**
   * What filing a notification under its incident needs, taken while it is at hand: for a
   * store that files on this thread (PostgreSQL), which would otherwise parse each stored
   * payload again. Absent where filing happens elsewhere (SQLite's writer thread).
   */
  readonly filingFacts?: (notification: Notification) => FilingFacts;
}

/** Notifications enriched concurrently and routed in one transaction. */
const BATCH = 256;
const INBOX_READ = BATCH * 16;
/**
 * How long a new notification may wait for others to share its routing commit: every
 * routing commit queues in the writer thread before the next accept commit, so fewer of
 * them keep the 200s fast; 50 ms is small beside the chat platforms' own latency.
 */
const GATHER_MS = 50;
/** After a storage error, how long before the inbox is read again. */
const RETRY_MS = 1000;
const ORPHAN_SCAN_MS = 5000;

/**
 * A notification waiting for its routing batch, reduced to what the batch needs. The
 * parsed payload is most of what the stage holds, and everything held across the event
 * loop's scavenges is copied by each: a submitted notification is routed at once and its
 * payload kept only for an enricher that wants it. With every payload kept until its batch
 * (at 1,000 webhooks a second, no analysis configured), each scavenge copied ~780 KB and
 * took ~3 ms; kept only when wanted, ~195 KB and ~1.7 ms (the ack bench, --trace-gc-nvp).
 * One read from the inbox (up to thousands at once, after a crash) is routed with its
 * batch, so that no read holds the event loop for all of them.
 */
type Queued = (
  | {
      readonly id: number;
      /** Where it goes, by the routes in force when it was submitted. */
      readonly routed: readonly RoutedDestination[];
      readonly notification: Notification | undefined;
    }
  | { readonly id: number; readonly routed: undefined; readonly notification: Notification }
) & {
  /** What filing it under its incident needs, when the store wants it (deps.filingFacts). */
  readonly filing: FilingFacts | undefined;
};

/**
 * Enrich, then route: takes accepted notifications (oldest first), asks the enricher for
 * extra context within its deadline, routes, and creates the deliveries and marks the
 * notifications routed in one transaction. New notifications are handed over in memory
 * (`submit`); the inbox is claimed from at start and every few seconds, so what a crash
 * (of this process or of another replica) left half-way is routed too. An enricher that fails or is late never holds a message
 * back: it goes out without.
 */
export class RoutingStage {
  private readonly queue = new Map<number, Queued>();
  /**
   * Follow-ups an enricher sent for notifications not routed yet: a follow-up goes where
   * the notification went, so it waits for the routing commit.
   */
  private readonly unrouted = new Map<number, Enrichment[]>();
  private readInbox = true;
  private retryLater = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private scan: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: RoutingStageDeps) {}

  /** A notification just accepted (committed to the inbox). */
  submit(stored: StoredNotification): void {
    if (this.stopped) return;
    const config = this.deps.config();
    const { notification } = stored;
    // Routed now, by the routes in force: a reload while it waits does not reroute it.
    this.queue.set(stored.id, {
      id: stored.id,
      routed: routeNotification(notification, config.routes, config.defaultRoute),
      notification: this.wanted(notification) ? notification : undefined,
      filing: this.deps.filingFacts?.(notification),
    });
    this.schedule(this.gatherMs());
  }

  /** Routes what the inbox holds unclaimed (at start), then looks again every few seconds. */
  wake(): void {
    this.readInbox = true;
    this.schedule(0);
    if (!this.scan) {
      this.scan = setInterval(() => {
        this.readInbox = true;
        this.schedule(0);
      }, this.deps.orphanScanMs ?? ORPHAN_SCAN_MS);
      this.scan.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.scan) clearInterval(this.scan);
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.running) return;
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = true;
      void this.loop().finally(() => {
        this.running = false;
        const retry = this.retryLater || this.readInbox;
        this.retryLater = false;
        if (this.queue.size > 0 || this.readInbox)
          this.schedule(retry ? RETRY_MS : this.gatherMs());
      });
    }, delayMs);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.readInbox) {
        try {
          const rows = await this.deps.claimUnrouted(INBOX_READ);
          for (const n of rows)
            this.queue.set(n.id, {
              id: n.id,
              routed: undefined,
              notification: n.notification,
              filing: this.deps.filingFacts?.(n.notification),
            });
          // A full read means the inbox may hold more (a long outage): read again next round.
          this.readInbox = rows.length === INBOX_READ;
        } catch (error) {
          this.deps.onStorageError();
          this.deps.logger.error("cannot read accepted notifications", { error });
          return;
        }
      }
      const batch = [...this.queue.values()].sort((a, b) => a.id - b.id).slice(0, BATCH);
      if (batch.length === 0) return;
      const config = this.deps.config();
      // Enrichments of a batch run concurrently, under one deadline: one timer and one
      // abort signal for the batch. With one of each per notification, at 1,000 webhooks
      // a second, the event loop's scavenges averaged 6.3 ms; with one per batch, 4.0 ms
      // (the ack bench's 60 s rounds, --trace-gc).
      const deadline = batchDeadline(config.enrichmentTimeoutMs, this.deps.now());
      const enrichments = await Promise.all(
        batch.map((n) =>
          n.notification ? this.enrich(n.id, n.notification, deadline) : Promise.resolve(undefined),
        ),
      ).finally(() => deadline.clear());
      const results: RoutingResult[] = batch.map((n, i) => ({
        id: n.id,
        ...(n.filing ? { filing: n.filing } : {}),
        enrichment: enrichments[i],
        routed:
          n.routed === undefined
            ? routeNotification(n.notification, config.routes, config.defaultRoute)
            : n.routed,
      }));
      try {
        // One transaction (one fsync) for the whole batch.
        await this.deps.complete(results, this.deps.now());
      } catch (error) {
        // The batch stays queued (and claimed) for the retry.
        this.deps.onStorageError();
        this.deps.logger.error("cannot record routing; will retry", { error });
        this.retryLater = true;
        return;
      }
      for (const n of batch) this.queue.delete(n.id);
      this.deps.onRouted();
      for (const n of batch) {
        const late = this.unrouted.get(n.id) ?? [];
        this.unrouted.delete(n.id);
        for (const enrichment of late) this.deps.followUp(n.id, enrichment);
      }
      // What arrived during this batch waits to gather more, as after an idle spell:
      // going on at once would route a steady stream a few at a time, each few a
      // transaction of their own.
      if (this.gatherMs() > 0 && !this.readInbox) return;
    }
  }

  /** How long to wait for more before routing: none once a full batch is queued. */
  private gatherMs(): number {
    return this.queue.size >= BATCH ? 0 : GATHER_MS;
  }

  /** Whether the enricher will look at it; one that cannot say (or throws) gets it. */
  private wanted(notification: Notification): boolean {
    try {
      return this.deps.enricher.wants?.(notification) !== false;
    } catch {
      return true;
    }
  }

  private async enrich(
    id: number,
    notification: Notification,
    deadline: BatchDeadline,
  ): Promise<Enrichment | undefined> {
    if (!this.unrouted.has(id)) this.unrouted.set(id, []);
    const context: EnrichmentContext = {
      notificationId: id,
      deadlineAt: deadline.at,
      followUp: (enrichment) => {
        const waiting = this.unrouted.get(id);
        if (waiting) waiting.push(enrichment);
        else this.deps.followUp(id, enrichment);
      },
    };
    try {
      const result = await Promise.race([
        this.deps.enricher.enrich(notification, deadline.signal, context),
        deadline.reached,
      ]);
      if (deadline.signal.aborted) this.deps.onEnrichmentFailure();
      return result;
    } catch (error) {
      this.deps.onEnrichmentFailure();
      this.deps.logger.warn("enrichment failed; sending without it", {
        notification: id,
        error,
      });
      return undefined;
    }
  }
}

/** A routing batch's enrichment deadline: aborts what is still running when it passes. */
interface BatchDeadline {
  /** When it passes, on the stage's clock (the enricher budgets its work by it). */
  readonly at: number;
  readonly signal: AbortSignal;
  /** Resolves with "no enrichment" when the deadline passes. */
  readonly reached: Promise<undefined>;
  clear(): void;
}

function batchDeadline(timeoutMs: number, now: number): BatchDeadline {
  const controller = new AbortController();
  // Every enrichment of the batch (up to BATCH) may listen for the abort, and each removes
  // its listener when it ends: many listeners here are expected, not a leak, so Node's
  // warning past 10 would only mislead.
  setMaxListeners(0, controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(undefined);
    }, timeoutMs);
  });
  return {
    at: now + timeoutMs,
    signal: controller.signal,
    reached,
    clear: () => clearTimeout(timer),
  };
}
