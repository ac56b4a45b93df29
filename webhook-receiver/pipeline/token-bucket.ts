import type { RateLimit } from "../destinations/destination.js";

/**
 * A token bucket per destination: `burst` tokens at most, refilled at `perMinute`. A
 * platform's rate-limit answer pauses the bucket until its Retry-After has passed, so the
 * next message does not run into the same wall.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now();
  }

  available(): number {
    this.refill();
    return this.now() < this.pausedUntil ? 0 : this.tokens;
  }

  tryTake(): boolean {
    if (this.available() < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until one token is available. */
  msUntilToken(): number {
    this.refill();
    const now = this.now();
    const pause = Math.max(0, this.pausedUntil - now);
    if (this.tokens >= 1) return pause;
    return Math.max(pause, Math.ceil((1 - this.tokens) / this.perMs()));
  }

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private perMs(): number {
    return this.limit.perMinute / 60_000;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + (now - this.updatedAt) * this.perMs());
    this.updatedAt = now;
  }
}
