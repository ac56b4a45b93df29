/**
 * The last `capacity` values of a stream, kept twice: in arrival order (a ring) and
 * sorted. Sorted, the median, the extremes and the median absolute deviation cost
 * O(capacity) at most per value, with no allocation: ingest runs at hundreds of
 * thousands of points per second, so nothing here sorts or allocates per point.
 */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  /** Where the next value goes in the ring. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes of values held (both arrays), for the memory the docs state. */
  get bytes(): number {
    return this.ring.byteLength + this.sorted.byteLength;
  }

  /** Adds a finite value, dropping the oldest when full. */
  push(value: number): void {
    const sorted = this.sorted;
    if (this.count === this.capacity) {
      const oldest = this.ring[this.head] ?? 0;
      const at = lowerBound(sorted, this.count, oldest);
      sorted.copyWithin(at, at + 1, this.count);
      this.count--;
    }
    const at = lowerBound(sorted, this.count, value);
    sorted.copyWithin(at + 1, at, this.count);
    sorted[at] = value;
    this.count++;
    this.ring[this.head] = value;
    this.head = (this.head + 1) % this.capacity;
  }

  min(): number {
    return this.sorted[0] ?? NaN;
  }

  max(): number {
    return this.sorted[this.count - 1] ?? NaN;
  }

  median(): number {
    const n = this.count;
    if (n === 0) return NaN;
    const s = this.sorted;
    return n % 2 === 1 ? (s[n >> 1] ?? NaN) : ((s[n / 2 - 1] ?? NaN) + (s[n / 2] ?? NaN)) / 2;
  }

  /**
   * Median absolute deviation from `center`: the deviations of a sorted array grow
   * outwards from the centre, so merging both sides up to the middle rank finds it in
   * O(n/2) without sorting them.
   */
  medianAbsoluteDeviation(center: number): number {
    const n = this.count;
    if (n === 0) return NaN;
    const s = this.sorted;
    let right = lowerBound(s, n, center);
    let left = right - 1;
    const lowRank = (n - 1) >> 1;
    const highRank = n >> 1;
    let low = 0;
    let deviation = 0;
    for (let rank = 0; rank <= highRank; rank++) {
      if (left < 0) deviation = (s[right++] ?? 0) - center;
      else if (right >= n) deviation = center - (s[left--] ?? 0);
      else {
        const below = center - (s[left] ?? 0);
        const above = (s[right] ?? 0) - center;
        if (below <= above) {
          deviation = below;
          left--;
        } else {
          deviation = above;
          right++;
        }
      }
      if (rank === lowRank) low = deviation;
    }
    return (low + deviation) / 2;
  }

  /** The median of the `k` most recent values (k <= size), using `scratch` (length >= k). */
  recentMedian(k: number, scratch: Float64Array): number {
    const n = Math.min(k, this.count);
    if (n === 0) return NaN;
    for (let i = 0; i < n; i++)
      scratch[i] = this.ring[(this.head - 1 - i + this.capacity) % this.capacity] ?? 0;
    // Insertion sort: n is a handful (the level's width).
    for (let i = 1; i < n; i++) {
      const v = scratch[i] ?? 0;
      let j = i - 1;
      while (j >= 0 && (scratch[j] ?? 0) > v) {
        scratch[j + 1] = scratch[j] ?? 0;
        j--;
      }
      scratch[j + 1] = v;
    }
    return n % 2 === 1
      ? (scratch[n >> 1] ?? NaN)
      : ((scratch[n / 2 - 1] ?? NaN) + (scratch[n / 2] ?? NaN)) / 2;
  }
}

/** First index in sorted[0..n) whose value is >= value. */
function lowerBound(sorted: Float64Array, n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
