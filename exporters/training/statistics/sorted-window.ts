/**
 * The last `capacity` values of a stream, kept twice: in arrival order (a ring) and
 * sorted. Sorted, the median, the extremes and the median absolute deviation cost
 * O(capacity) at most per value, with no allocation: ingest runs at hundreds of
 * thousands of points per second, so nothing here sorts or allocates per point. The
 * arrays grow with the stream up to `capacity` (a run seen once costs one value), and
 * are plain arrays of doubles rather than typed arrays: each typed array owns an
 * off-heap buffer, and thousands of new streams made V8 collect them over and over.
 */
export class SortedWindow {
  private readonly ring: number[] = [];
  private readonly sorted: number[] = [];
  /** Where the next value goes in the ring. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** Bytes of values held (both arrays; at most 16 x capacity), for the documented bound. */
  get bytes(): number {
    return 2 * 8 * this.ring.length;
  }

  /** Adds a finite value, dropping the oldest when full. */
  push(value: number): void {
    const sorted = this.sorted;
    let n = this.count;
    if (n === this.capacity) {
      // Out with the oldest: shift what follows it one place down.
      const oldest = this.ring[this.head] ?? 0;
      for (let i = lowerBound(sorted, n, oldest); i < n - 1; i++) sorted[i] = sorted[i + 1] ?? 0;
      n--;
    }
    // In with the new one: shift what is larger one place up (no copyWithin: on plain
    // arrays V8 runs it generically, 50x slower than this loop).
    let i = n;
    while (i > 0 && (sorted[i - 1] ?? 0) > value) {
      sorted[i] = sorted[i - 1] ?? 0;
      i--;
    }
    sorted[i] = value;
    this.count = n + 1;
    if (this.ring.length < this.capacity) {
      this.ring.push(value);
      this.head = this.ring.length % this.capacity;
    } else {
      this.ring[this.head] = value;
      this.head = (this.head + 1) % this.capacity;
    }
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
      scratch[i] = this.ring[(this.head - 1 - i + this.ring.length) % this.ring.length] ?? 0;
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
function lowerBound(sorted: readonly number[], n: number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
