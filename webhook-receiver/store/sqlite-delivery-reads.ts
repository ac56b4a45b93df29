import type { OutboxStore } from "./outbox-store.js";
import type { DeliveryReads } from "./receiver-store.js";

/**
 * Delivery's reads of a SQLite outbox, on whichever connection `outbox` uses (the main
 * one, or the delivery thread's own). One process owns a SQLite file, so a destination's
 * lease is always this process's.
 */
export function sqliteDeliveryReads(outbox: OutboxStore): DeliveryReads {
  return {
    schedule: (destinations) => attempt(() => outbox.schedule(destinations)),
    due: (destination, now, limit) => attempt(() => outbox.due(destination, now, limit)),
    previouslyFiringGroups: (destination, groupKeys) =>
      attempt(() => outbox.previouslyFiringGroups(destination, groupKeys)),
    leaseDestination: () => Promise.resolve(true),
    releaseLeases: () => Promise.resolve(),
  };
}

/** A synchronous read or write as a promise that rejects instead of throwing. */
export function attempt<T>(run: () => T): Promise<T> {
  return new Promise((resolve) => resolve(run()));
}
