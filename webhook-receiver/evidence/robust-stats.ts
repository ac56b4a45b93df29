/**
 * Robust statistics for evidence strength. The median and the median absolute deviation
 * (MAD) describe a candidate's own baseline without being dragged by the anomaly or by a
 * few outliers in it; 1.4826·MAD estimates the standard deviation of normal data, so a
 * robust z-score reads like the familiar one (Iglewicz & Hoaglin, "How to Detect and
 * Handle Outliers", 1993). A signal that takes few distinct values (0.04, 0.06, 0.04, ...)
 * has a MAD of 0 although it varies; then the mean absolute deviation scaled by 1.2533 (its
 * ratio to σ for normal data) stands in, as in IBM's modified z-score.
 */
export interface Baseline {
  readonly median: number;
  /** The scale a deviation is divided by: 1.4826·MAD (or 1.2533·mean AD when MAD is 0), floored. */
  readonly scale: number;
  /** Finite samples the baseline was computed from. */
  readonly count: number;
}

export interface ScaleFloors {
  /** Floor as a fraction of |median|, so a flat series does not divide by ~0. */
  readonly relative: number;
  /** Absolute floor, in the signal's unit. */
  readonly absolute: number;
}

/** |z| is capped here: beyond it the number carries no more information, only noise. */
export const Z_CAP = 100;

const MAD_TO_SIGMA = 1.4826;
const MEAN_AD_TO_SIGMA = 1.2533;
const MIN_BASELINE_SAMPLES = 3;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** The baseline of finite values, or undefined with fewer than 3 of them. */
export function robustBaseline(
  values: readonly number[],
  floors: ScaleFloors,
): Baseline | undefined {
  const finite = values.filter(Number.isFinite);
  if (finite.length < MIN_BASELINE_SAMPLES) return undefined;
  const med = median(finite);
  const deviations = finite.map((v) => Math.abs(v - med));
  const mad = median(deviations);
  const spread =
    mad > 0
      ? MAD_TO_SIGMA * mad
      : (MEAN_AD_TO_SIGMA * deviations.reduce((a, d) => a + d, 0)) / deviations.length;
  const scale = Math.max(spread, floors.relative * Math.abs(med), floors.absolute);
  return { median: med, scale, count: finite.length };
}

/** Robust z-score of one value, capped at ±Z_CAP; a non-finite value is an extreme deviation. */
export function robustZ(value: number, baseline: Baseline): number {
  if (Number.isNaN(value)) return Z_CAP;
  const z = (value - baseline.median) / baseline.scale;
  if (!Number.isFinite(z)) return z > 0 ? Z_CAP : -Z_CAP;
  return Math.max(-Z_CAP, Math.min(Z_CAP, z));
}
