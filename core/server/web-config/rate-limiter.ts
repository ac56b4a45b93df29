/**
 * A token bucket with the semantics of Go's rate.Limiter.Allow, which the toolkit's
 * `rate_limit` uses: one token every `intervalMs`, at most `burst` saved up, the
 * bucket full at start; a burst of 0 admits nothing.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly intervalMs: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  allow(): boolean {
    const at = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (at - this.last) / this.intervalMs);
    this.last = at;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
