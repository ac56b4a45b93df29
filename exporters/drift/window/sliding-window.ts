/**
 * One slice of a sliding window: per-bin counts and sums for every feature of a model,
 * laid out at each feature's offset in two flat arrays.
 */
export interface Pane {
  readonly counts: Float64Array;
  readonly sums: Float64Array;
  records: number;
  startMs: number;
  lastMs: number;
}

export interface WindowOptions {
  /** Keep at most this many records (the last ones). */
  readonly maxRecords?: number;
  /** Keep records no older than this. */
  readonly durationMs?: number;
  /** Slices the window slides by: it moves 1/panes of its length at a time. */
  readonly panes: number;
}

/**
 * A sliding window of fixed size in memory: `panes` slices of per-bin counts and sums,
 * whatever the length of the stream. A new slice starts when the current one holds
 * maxRecords/panes records or spans durationMs/panes; the oldest slice is dropped when
 * there are more than `panes` (count windows) or all its records are older than
 * durationMs (time windows). So a count window holds between maxRecords·(1 − 1/panes)
 * and maxRecords records, and a time window covers between durationMs·(1 − 1/panes) and
 * durationMs: the boundary is a slice wide, the contents exact.
 */
export class SlidingWindow {
  private readonly panes: Pane[] = [];
  private readonly spare: Pane[] = [];
  private readonly recordsPerPane: number;
  private readonly paneDurationMs: number;
  private readonly maxPanes: number;

  constructor(
    private readonly size: number,
    private readonly options: WindowOptions,
  ) {
    if (options.maxRecords === undefined && options.durationMs === undefined)
      throw new Error("a window needs maxRecords, durationMs or both");
    this.recordsPerPane =
      options.maxRecords === undefined
        ? Infinity
        : Math.max(1, Math.floor(options.maxRecords / options.panes));
    this.paneDurationMs =
      options.durationMs === undefined ? Infinity : options.durationMs / options.panes;
    // A time window's oldest slice straddles its start, so it may need one slice more.
    this.maxPanes = options.maxRecords === undefined ? options.panes + 1 : options.panes;
  }

  /** The slice the next record goes to; the caller adds to its counts and sums. */
  paneFor(nowMs: number): Pane {
    let pane = this.panes[this.panes.length - 1];
    if (
      !pane ||
      pane.records >= this.recordsPerPane ||
      nowMs - pane.startMs >= this.paneDurationMs
    ) {
      pane = this.newPane(nowMs);
      this.panes.push(pane);
      while (this.panes.length > this.maxPanes) this.recycle(this.panes.shift());
    }
    pane.records++;
    pane.lastMs = nowMs;
    return pane;
  }

  /** Drops the slices whose records are all older than the window's duration. */
  expire(nowMs: number): void {
    const duration = this.options.durationMs;
    if (duration === undefined) return;
    while (this.panes.length > 0 && (this.panes[0]?.lastMs ?? Infinity) <= nowMs - duration)
      this.recycle(this.panes.shift());
  }

  /** Sums the live slices into `counts` and `sums` (each `size` long); returns the record count. */
  aggregate(nowMs: number, counts: Float64Array, sums: Float64Array): number {
    this.expire(nowMs);
    counts.fill(0);
    sums.fill(0);
    let records = 0;
    for (const pane of this.panes) {
      records += pane.records;
      for (let i = 0; i < this.size; i++) {
        counts[i] = (counts[i] ?? 0) + (pane.counts[i] ?? 0);
        sums[i] = (sums[i] ?? 0) + (pane.sums[i] ?? 0);
      }
    }
    return records;
  }

  get paneCount(): number {
    return this.panes.length;
  }

  private newPane(nowMs: number): Pane {
    const pane = this.spare.pop() ?? {
      counts: new Float64Array(this.size),
      sums: new Float64Array(this.size),
      records: 0,
      startMs: 0,
      lastMs: 0,
    };
    pane.startMs = nowMs;
    pane.lastMs = nowMs;
    return pane;
  }

  private recycle(pane: Pane | undefined): void {
    if (!pane) return;
    pane.counts.fill(0);
    pane.sums.fill(0);
    pane.records = 0;
    if (this.spare.length < 2) this.spare.push(pane);
  }
}
