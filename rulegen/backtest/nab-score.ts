/**
 * The Numenta Anomaly Benchmark's scoring, as numenta/NAB computes it (nab/sweeper.py,
 * nab/runner.py at commit ea702d7), for one series at a time:
 *
 * - rows are the series' samples in time order; the first min(floor(0.15 x rows), 750)
 *   rows are the probation period and are not scored;
 * - a detection inside a window [l, r] (row indexes) is worth tp x S(-(r - i + 1)/(r - l + 1))
 *   / S(-1) where S(x) = 2 / (1 + e^(5x)) - 1; only the best detection of a window counts,
 *   and a window without one costs -fn;
 * - every detection outside the windows costs fp x S(|i - r_prev| / (w_prev - 1)), r_prev
 *   and w_prev the right edge and width of the last window that ended before it, or fp x -1
 *   before any window.
 */
export interface NabProfile {
  readonly tp: number;
  readonly fn: number;
  readonly fp: number;
}

/** NAB's cost profiles (config/profiles.json). */
export const NAB_PROFILES = {
  standard: { tp: 1, fn: 1, fp: 0.11 },
  reward_low_FP_rate: { tp: 1, fn: 1, fp: 0.22 },
  reward_low_FN_rate: { tp: 1, fn: 2, fp: 0.11 },
} as const satisfies Record<string, NabProfile>;

export type NabProfileName = keyof typeof NAB_PROFILES;
export const NAB_PROFILE_NAMES = Object.keys(NAB_PROFILES) as NabProfileName[];

/** A window as inclusive row indexes. */
export interface RowWindow {
  readonly first: number;
  readonly last: number;
}

export interface NabSeries {
  readonly rows: number;
  /** In time order, not overlapping. */
  readonly windows: readonly RowWindow[];
  /** Rows flagged as anomalous (any order; duplicates count once each, as NAB counts rows). */
  readonly detections: readonly number[];
}

export interface NabFileScore {
  readonly score: number;
  /** Windows with at least one scored row (the others lie wholly in the probation period). */
  readonly scoredWindows: number;
  /** Scored windows with a detection after the probation period. */
  readonly detectedWindows: number;
  /** Scored detections outside every window. */
  readonly falsePositives: number;
}

/** NAB's scaled sigmoid: +0.987 at a window's left edge, 0 at its right edge, -> -1 past it. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

export function probationRows(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
}

export function scoreNabSeries(series: NabSeries, profile: NabProfile): NabFileScore {
  const probation = probationRows(series.rows);
  const maxTp = scaledSigmoid(-1);
  const best = new Map<number, number>();
  series.windows.forEach((w, k) => {
    if (w.last >= probation) best.set(k, -profile.fn);
  });
  let falseCost = 0;
  let falsePositives = 0;
  const detected = new Set<number>();
  for (const i of series.detections) {
    if (i < probation || i < 0 || i >= series.rows) continue;
    const inside = series.windows.findIndex((w) => w.first <= i && i <= w.last);
    const window = series.windows[inside];
    if (window) {
      const width = window.last - window.first + 1;
      const value = (scaledSigmoid(-(window.last - i + 1) / width) * profile.tp) / maxTp;
      best.set(inside, Math.max(best.get(inside) ?? -profile.fn, value));
      detected.add(inside);
      continue;
    }
    let previous: RowWindow | undefined;
    for (const w of series.windows) if (w.last < i) previous = w;
    const position = previous
      ? scaledSigmoid(Math.abs(previous.last - i) / (previous.last - previous.first))
      : -1;
    falseCost += position * profile.fp;
    falsePositives++;
  }
  let score = falseCost;
  for (const value of best.values()) score += value;
  return {
    score,
    scoredWindows: best.size,
    detectedWindows: detected.size,
    falsePositives,
  };
}

/**
 * NAB's normalised corpus score: 100 x (raw - null) / (perfect - null), null being every
 * window missed and perfect every window detected at its first row.
 */
export function normalizeNabScore(
  rawTotal: number,
  windows: number,
  scoredWindows: number,
  profile: NabProfile,
): number {
  const nullScore = -profile.fn * scoredWindows;
  const perfect = profile.tp * windows;
  return perfect === nullScore ? NaN : (100 * (rawTotal - nullScore)) / (perfect - nullScore);
}

/**
 * Windows given as times, as row indexes: from the first row at or after the start to
 * the last row at or before the end (NAB's labels name rows exactly; this also accepts
 * times between rows). A window that holds no row is dropped.
 */
export function rowWindows(
  timestamps: readonly number[],
  windows: readonly { readonly startMs: number; readonly endMs: number }[],
): RowWindow[] {
  const out: RowWindow[] = [];
  for (const w of windows) {
    const first = firstAtOrAfter(timestamps, w.startMs);
    const last = firstAtOrAfter(timestamps, w.endMs + 1) - 1;
    if (first <= last) out.push({ first, last });
  }
  return out.sort((a, b) => a.first - b.first);
}

/** Index of the first timestamp >= t (timestamps sorted), or the length. */
export function firstAtOrAfter(timestamps: readonly number[], t: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((timestamps[mid] ?? Infinity) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
