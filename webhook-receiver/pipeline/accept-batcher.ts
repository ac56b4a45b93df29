/**
 * Group commit: notifications wait while a commit is running and then go together in the
 * next one, so one fsync covers all of them and the commit rate adapts to the load. Each
 * request is answered only after the transaction holding its notification committed; if
 * it fails, all of them get the error (and answer 503).
 */
export class AcceptBatcher<Item, Result> {
  private pending: { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }[] =
    [];
  private running = false;

  constructor(
    private readonly commit: (items: readonly Item[]) => Promise<Result[]>,
    private readonly maxBatch = 512,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let the requests already read in this turn of the event loop join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const results = await this.commit(batch.map((b) => b.item));
        batch.forEach((b, i) => {
          const result = results[i];
          if (result !== undefined) b.resolve(result);
          else b.reject(new Error("internal: missing accept result"));
        });
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.running = false;
  }
}
