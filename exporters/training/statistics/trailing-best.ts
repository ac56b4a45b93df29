/**
 * The best (lowest, or highest) value among roughly the last `span` values, in constant
 * memory: values are grouped into `blocks` blocks of span/blocks values, and only each
 * block's best is kept. The span covered is between span - span/blocks and span.
 */
export class TrailingBest {
  private readonly bests: Float64Array;
  private readonly blockSize: number;
  /** Full blocks held, up to bests.length. */
  private full = 0;
  private next = 0;
  private current = NaN;
  private inCurrent = 0;

  constructor(
    span: number,
    blocks: number,
    private readonly higherIsBetter: boolean,
  ) {
    const count = Math.max(1, Math.min(blocks, span));
    this.bests = new Float64Array(count);
    this.blockSize = Math.max(1, Math.ceil(span / count));
  }

  get bytes(): number {
    return this.bests.byteLength;
  }

  push(value: number): void {
    this.current = this.inCurrent === 0 ? value : this.better(this.current, value);
    if (++this.inCurrent === this.blockSize) {
      this.bests[this.next] = this.current;
      this.next = (this.next + 1) % this.bests.length;
      if (this.full < this.bests.length) this.full++;
      this.inCurrent = 0;
    }
  }

  /** The best value held; NaN before the first. */
  value(): number {
    let best = this.inCurrent > 0 ? this.current : NaN;
    for (let i = 0; i < this.full; i++) {
      const v = this.bests[i] ?? NaN;
      best = Number.isNaN(best) ? v : this.better(best, v);
    }
    return best;
  }

  private better(a: number, b: number): number {
    return this.higherIsBetter ? Math.max(a, b) : Math.min(a, b);
  }
}
