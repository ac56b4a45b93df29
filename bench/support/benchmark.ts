/**
 * A benchmark measures one thing beside its baseline (a peer tool, or the hand-written
 * limit the budget is stated against) in the same run, and reports medians and ratios:
 * machines are noisy, ratios measured side by side much less so.
 */
export interface BenchRow {
  readonly what: string;
  /** Median of the measured thing, in `unit`. */
  readonly value: number;
  readonly unit: string;
  readonly baselineName?: string;
  readonly baseline?: number;
  /** Human statement of the budget, e.g. "< 1 s" or "<= 0.5x naive". */
  readonly budget?: string;
  /** Whether the budget is met; undefined when there is no budget. */
  readonly withinBudget?: boolean;
  readonly note?: string;
}

export interface BenchContext {
  readonly log: (line: string) => void;
  /** Scratch directory for the run, removed afterwards. */
  readonly scratchDir: string;
}

export interface Benchmark {
  /** Short name to select it: `npm run bench -- <id>`. */
  readonly id: string;
  readonly name: string;
  readonly part: "rulegen" | "exporters" | "webhook-receiver" | "dashboards" | "clients";
  run(context: BenchContext): Promise<readonly BenchRow[]>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

/** Median wall time of `fn` in milliseconds over `runs` runs, after `warmup` unmeasured ones. */
export async function timeMedian(
  fn: () => unknown,
  runs: number,
  warmup = 1,
): Promise<{ medianMs: number; samplesMs: number[] }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samplesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { medianMs: median(samplesMs), samplesMs };
}
