/** Entries kept: more skips than this within one window are already an overflow. */
const CAPACITY = 16;

/**
 * Skipped iterations over the last `iterations` steps of one run. A healthy fp16 run
 * skips one iteration now and then, when its dynamic loss scale probes upwards (one in
 * ~1000 by Megatron's and DeepSpeed's defaults); an overflow storm skips many in a row
 * and drives the scale down. Only logged steps that reported skips are kept.
 */
export class OverflowWindow {
  private readonly steps: number[] = [];
  private readonly skipped: number[] = [];
  private next = 0;
  private held = 0;

  constructor(
    private readonly iterations: number,
    private readonly threshold: number,
  ) {}

  /** Records `skipped` iterations at `step`; true when the window now holds an overflow. */
  observe(step: number, skipped: number): boolean {
    if (!(skipped > 0)) return false;
    this.steps[this.next] = step;
    this.skipped[this.next] = skipped;
    this.next = (this.next + 1) % CAPACITY;
    if (this.held < CAPACITY) this.held++;
    let total = 0;
    for (let i = 0; i < this.held; i++)
      if ((this.steps[i] ?? 0) > step - this.iterations) total += this.skipped[i] ?? 0;
    return total >= this.threshold;
  }
}
