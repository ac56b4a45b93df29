import { quantileSorted, standardDeviation } from "simple-statistics";

/**
 * The naive way to compute drift on a sliding window, the benchmarks' baseline and the
 * tests' exact oracle: keep the last `capacity` values in an array, and to score, copy,
 * sort, and compute the statistics exactly from the sorted samples with simple-statistics.
 * Memory grows with the window; each evaluation costs a sort.
 */
export class NaiveWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }

  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  sorted(): number[] {
    return Array.from(this.values.subarray(0, this.filled)).sort((a, b) => a - b);
  }
}

export interface ExactScores {
  readonly ks: number;
  readonly wasserstein: number;
  readonly psi: number;
}

/** Exact KS D, normed Wasserstein-1 and PSI (on the reference's decile bins) of two sorted samples. */
export function exactScores(
  reference: readonly number[],
  current: readonly number[],
  bins = 10,
  epsilon = 0.0001,
): ExactScores {
  return {
    ks: exactKolmogorovSmirnov(reference, current),
    wasserstein: exactWasserstein(reference, current) / (standardDeviation([...reference]) || 1),
    psi: exactPsi(reference, current, bins, epsilon),
  };
}

/** sup |F − G| over the pooled sample points of two sorted samples. */
export function exactKolmogorovSmirnov(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i] ?? Infinity, b[j] ?? Infinity);
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/** ∫ |F − G| dx over the pooled sample points of two sorted samples. */
export function exactWasserstein(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let area = 0;
  let previous = Math.min(a[0] ?? 0, b[0] ?? 0);
  while (i < a.length || j < b.length) {
    const x = Math.min(a[i] ?? Infinity, b[j] ?? Infinity);
    area += Math.abs(i / a.length - j / b.length) * (x - previous);
    previous = x;
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
  }
  return area;
}

/** PSI on bins at the reference's quantiles j/bins (right-closed, open outer edges). */
export function exactPsi(
  reference: readonly number[],
  current: readonly number[],
  bins: number,
  epsilon: number,
): number {
  const edges: number[] = [];
  for (let j = 1; j < bins; j++) {
    const edge = quantileSorted(reference, j / bins);
    if (edges[edges.length - 1] !== edge) edges.push(edge);
  }
  const shares = (sample: readonly number[]): number[] => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    let bin = 0;
    for (const value of sample) {
      while (bin < edges.length && value > (edges[bin] ?? Infinity)) bin++;
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
    return counts.map((c) => (c === 0 ? epsilon : c / sample.length));
  };
  const p = shares(reference);
  const q = shares(current);
  return p.reduce((sum, pi, k) => {
    const qi = q[k] ?? epsilon;
    return sum + (qi - pi) * Math.log(qi / pi);
  }, 0);
}
