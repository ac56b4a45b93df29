/**
 * Group commit: the notifications read in one turn of the event loop go to the store
 * together, so one fsync covers all of them. At most `maxInFlight` batches are in flight
 * at once; notifications arriving while that many are committing wait and go together in
 * the next batch, so the commit rate adapts to the load. The SQLite writer thread groups
 * what reaches it during a commit on its own and takes several; a PostgreSQL pool takes
 * one at a time. Each request is answered only after the transaction holding its
 * notification committed; if it fails, all of its batch get the error (and answer 503).
 */
export class AcceptBatcher<Item, Result> {
  private pending: { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }[] =
    [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly commit: (items: readonly Item[]) => Promise<Result[]>,
    private readonly maxBatch = 512,
    private readonly maxInFlight = 1,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        // Let the requests already read in this turn of the event loop join the batch.
        setImmediate(() => {
          this.scheduled = false;
          this.dispatch();
        });
      }
    });
  }

  private dispatch(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      void this.run(batch);
    }
  }

  private async run(
    batch: { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }[],
  ): Promise<void> {
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
    this.inFlight--;
    this.dispatch();
  }
}
