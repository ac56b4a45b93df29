import type { Logger } from "../../core/log/logger.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import { routeNotification } from "../routing/route-notification.js";
import type {
  NotificationStore,
  RoutingResult,
  StoredNotification,
} from "../store/notification-store.js";
import type { Enricher, Enrichment } from "./enrichment.js";

export interface RoutingStageDeps {
  readonly store: NotificationStore;
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
}

/** Notifications enriched concurrently and routed in one transaction. */
const BATCH = 64;

/**
 * Enrich, then route: takes accepted notifications (oldest first, including those a
 * crash left half-way), asks the enricher for extra context within its deadline, routes,
 * and creates the deliveries and marks the notification routed in one transaction. An
 * enricher that fails or is late never holds a message back: it goes out without.
 */
export class RoutingStage {
  private readonly inFlight = new Set<number>();
  private running = false;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: RoutingStageDeps) {}

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    for (;;) {
      let batch: StoredNotification[];
      try {
        batch = this.deps.store.awaitingRouting(BATCH).filter((n) => !this.inFlight.has(n.id));
      } catch (error) {
        this.deps.onStorageError();
        this.deps.logger.error("cannot read accepted notifications", { error });
        return;
      }
      if (batch.length === 0 || this.stopped) return;
      for (const n of batch) this.inFlight.add(n.id);
      try {
        const config = this.deps.config();
        // Enrichments of a batch run concurrently, each within its own deadline.
        const enrichments = await Promise.all(
          batch.map((n) => this.enrich(n, config.enrichmentTimeoutMs)),
        );
        const results: RoutingResult[] = batch.map((n, i) => ({
          id: n.id,
          enrichment: enrichments[i],
          routed: routeNotification(n.notification, config.routes, config.defaultRoute),
        }));
        try {
          // One transaction (one fsync) for the whole batch.
          await this.deps.complete(results, this.deps.now());
        } catch (error) {
          this.deps.onStorageError();
          this.deps.logger.error("cannot record routing; will retry", { error });
          return;
        }
        this.deps.onRouted();
      } finally {
        for (const n of batch) this.inFlight.delete(n.id);
      }
    }
  }

  private async enrich(
    stored: StoredNotification,
    timeoutMs: number,
  ): Promise<Enrichment | undefined> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(undefined);
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([
        this.deps.enricher.enrich(stored.notification, controller.signal),
        deadline,
      ]);
      if (controller.signal.aborted) this.deps.onEnrichmentFailure();
      return result;
    } catch (error) {
      this.deps.onEnrichmentFailure();
      this.deps.logger.warn("enrichment failed; sending without it", {
        notification: stored.id,
        error,
      });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
