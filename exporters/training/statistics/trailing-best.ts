/**
 * The best (lowest, or highest) value among roughly the last `span` values, in constant
 * memory: values are grouped into `blocks` blocks of span/blocks values, and only each
 * block's best is kept. The span covered is between span - span/blocks and span.
 */
export class TrailingBest {
  /** Bests of the full blocks, in a ring of `blocks` entries (grown as blocks fill). */
  private readonly bests: number[] = [];
  private readonly blocks: number;
  private readonly blockSize: number;
  /** Full blocks held, up to bests.length. */
  private full = 0;
  private next = 0;
  private current = NaN;
  private inCurrent = 0;
  /** The best of the full blocks, kept as blocks complete (value() is O(1)). */
  private fullBest = NaN;

  constructor(
    span: number,
    blocks: number,
    private readonly higherIsBetter: boolean,
  ) {
    const count = Math.max(1, Math.min(blocks, span));
    this.blocks = count;
    this.blockSize = Math.max(1, Math.ceil(span / count));
  }

  get bytes(): number {
    return 8 * this.bests.length;
  }

  push(value: number): void {
    this.current = this.inCurrent === 0 ? value : this.better(this.current, value);
    if (++this.inCurrent === this.blockSize) {
      if (this.bests.length < this.blocks) this.bests.push(this.current);
      else this.bests[this.next] = this.current;
      this.next = (this.next + 1) % this.blocks;
      if (this.full < this.blocks) this.full++;
      this.inCurrent = 0;
      let best = NaN;
      for (let i = 0; i < this.full; i++) {
        const v = this.bests[i] ?? NaN;
        best = Number.isNaN(best) ? v : this.better(best, v);
      }
      this.fullBest = best;
    }
  }

  /** The best value held; NaN before the first. */
  value(): number {
    if (this.inCurrent === 0) return this.fullBest;
    return Number.isNaN(this.fullBest) ? this.current : this.better(this.fullBest, this.current);
  }

  private better(a: number, b: number): number {
    return this.higherIsBetter ? Math.max(a, b) : Math.min(a, b);
  }
}
