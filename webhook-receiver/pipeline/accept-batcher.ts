import type { AcceptItem, AcceptResult } from "../store/notification-store.js";

/**
 * Group commit: notifications that arrive in the same turn of the event loop are written
 * in one transaction, so one fsync covers all of them. Each request is answered only after
 * the transaction holding its notification committed; if it fails, all of them get the
 * error (and answer 503).
 */
export class AcceptBatcher {
  private pending: {
    item: AcceptItem;
    resolve: (r: AcceptResult) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private scheduled = false;

  constructor(
    private readonly commit: (items: readonly AcceptItem[]) => AcceptResult[],
    private readonly maxBatch = 512,
  ) {}

  submit(item: AcceptItem): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let results: AcceptResult[];
    try {
      results = this.commit(batch.map((b) => b.item));
    } catch (error) {
      for (const b of batch) b.reject(error);
      return;
    }
    batch.forEach((b, i) => {
      const result = results[i];
      if (result) b.resolve(result);
      else b.reject(new Error("internal: missing accept result"));
    });
  }
}
