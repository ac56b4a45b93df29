/**
 * A numeric sample summarised over fixed bin edges: bin 0 holds values <= edges[0], bin i
 * holds (edges[i-1], edges[i]], and the last bin (index edges.length) holds values above
 * the last edge, so the outer bins are open and every value has a bin. Each bin keeps its
 * count and the sum of its values: with both, the CDF is exact at every edge and the
 * integral of the CDF over every bin is exact too (see wasserstein.ts).
 */
export interface NumericHistogram {
  readonly counts: ArrayLike<number>;
  readonly sums: ArrayLike<number>;
}

/** Index of the bin `value` falls in: the first edge >= value, by binary search. */
export function binIndex(edges: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((edges[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
