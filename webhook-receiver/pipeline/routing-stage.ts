import type { Logger } from "../../core/log/logger.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import { routeNotification } from "../routing/route-notification.js";
import type { NotificationStore, StoredNotification } from "../store/notification-store.js";
import type { Enricher, Enrichment } from "./enrichment.js";

export interface RoutingStageDeps {
  readonly store: NotificationStore;
  readonly enricher: Enricher;
  readonly config: () => ReceiverConfig;
  readonly logger: Logger;
  readonly now: () => number;
  readonly onEnrichmentFailure: () => void;
  readonly onStorageError: () => void;
  /** Called after deliveries were created, to wake the delivery worker. */
  readonly onRouted: () => void;
}

const CONCURRENCY = 8;

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
        batch = this.deps.store
          .awaitingRouting(CONCURRENCY * 4)
          .filter((n) => !this.inFlight.has(n.id));
      } catch (error) {
        this.deps.onStorageError();
        this.deps.logger.error("cannot read accepted notifications", { error });
        return;
      }
      if (batch.length === 0 || this.stopped) return;
      for (let i = 0; i < batch.length; i += CONCURRENCY)
        await Promise.all(batch.slice(i, i + CONCURRENCY).map((n) => this.process(n)));
    }
  }

  private async process(stored: StoredNotification): Promise<void> {
    this.inFlight.add(stored.id);
    try {
      const config = this.deps.config();
      const enrichment = await this.enrich(stored, config.enrichmentTimeoutMs);
      const routed = routeNotification(stored.notification, config.routes, config.defaultRoute);
      try {
        this.deps.store.completeRouting(stored.id, enrichment, routed, this.deps.now());
      } catch (error) {
        this.deps.onStorageError();
        this.deps.logger.error("cannot record routing; will retry", {
          notification: stored.id,
          error,
        });
        return;
      }
      this.deps.onRouted();
    } finally {
      this.inFlight.delete(stored.id);
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
