import { quantileSorted } from "simple-statistics";

/**
 * Bin edges from a sorted reference sample. With at most `resolution` distinct values,
 * every distinct value is an edge, so each value has a bin of its own and binned
 * statistics are exact for such data. Otherwise the edges are the quantiles at j/R.
 * The coarse edges (quantiles at j/bins) are merged into the fine ones so that a coarse
 * bin is always a union of fine bins.
 */
export function numericEdges(
  sorted: readonly number[],
  resolution: number,
  bins: number,
): { readonly edges: number[]; readonly coarse: number[] } {
  if (sorted.length === 0) return { edges: [], coarse: [] };
  const distinct = distinctSorted(sorted);
  const coarse = unique(quantiles(sorted, bins));
  const fine = distinct.length <= resolution ? distinct : quantiles(sorted, resolution);
  return { edges: unique([...fine, ...coarse].sort((a, b) => a - b)), coarse };
}

function quantiles(sorted: readonly number[], parts: number): number[] {
  const out: number[] = [];
  for (let j = 1; j < parts; j++) out.push(quantileSorted(sorted, j / parts));
  return out;
}

function distinctSorted(sorted: readonly number[]): number[] {
  const out: number[] = [];
  for (const value of sorted) if (out[out.length - 1] !== value) out.push(value);
  return out;
}

function unique(sortedValues: readonly number[]): number[] {
  return distinctSorted(sortedValues);
}
