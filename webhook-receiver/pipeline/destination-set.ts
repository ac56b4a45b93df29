import type { DestinationConfig, ReceiverConfig } from "../config/receiver-config.js";
import type { Destination } from "../destinations/destination.js";
import { makeDestination } from "../destinations/make-destination.js";
import type { DestinationDeps } from "../destinations/make-destination.js";
import { TokenBucket } from "./token-bucket.js";

export interface RuntimeDestination {
  readonly destination: Destination;
  readonly config: DestinationConfig;
  readonly bucket: TokenBucket;
}

/**
 * The destinations of the active configuration with their token buckets. A reload builds
 * new destinations (URLs and secrets may have rotated) but keeps a bucket whose limit did
 * not change, so a reload cannot be used to burst past a platform's rate limit.
 */
export class DestinationSet {
  private current = new Map<string, RuntimeDestination>();

  constructor(
    private readonly deps: DestinationDeps,
    private readonly now: () => number,
  ) {}

  apply(config: ReceiverConfig): void {
    const next = new Map<string, RuntimeDestination>();
    for (const d of config.destinations) {
      const previous = this.current.get(d.name);
      const sameLimit =
        previous &&
        previous.config.rateLimit.perMinute === d.rateLimit.perMinute &&
        previous.config.rateLimit.burst === d.rateLimit.burst;
      next.set(d.name, {
        destination: makeDestination(d, { ...this.deps, secretValues: config.secretValues }),
        config: d,
        bucket: sameLimit && previous ? previous.bucket : new TokenBucket(d.rateLimit, this.now),
      });
    }
    this.current = next;
  }

  get(name: string): RuntimeDestination | undefined {
    return this.current.get(name);
  }

  names(): string[] {
    return [...this.current.keys()];
  }
}
