/**
 * At most `max` tasks at once; the rest wait in order. One limit is shared by every
 * analysis, so an alert storm queues queries instead of flooding Prometheus. A task whose
 * signal aborts while it waits never starts. A finishing task hands its slot straight to
 * the next waiter, so a newcomer can never slip in between and exceed the limit.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw abortError(signal);
    if (this.running < this.max) this.running++;
    else await this.waitForSlot(signal);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private waitForSlot(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const start = (): void => {
        signal.removeEventListener("abort", cancel);
        resolve();
      };
      const cancel = (): void => {
        const index = this.waiting.indexOf(start);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(abortError(signal));
      };
      signal.addEventListener("abort", cancel, { once: true });
      this.waiting.push(start);
    });
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("aborted");
}
