import { total } from "./population-stability-index.js";

/**
 * Jensen–Shannon distance between two histograms over the same bins: the square root of
 * the Jensen–Shannon divergence with natural logarithms, as scipy.spatial.distance.
 * jensenshannon computes it by default (and Evidently with it). It lies in
 * [0, sqrt(ln 2) ≈ 0.833]; empty bins need no epsilon.
 */
export function jensenShannonDistance(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): number {
  const referenceTotal = total(reference);
  const currentTotal = total(current);
  if (referenceTotal === 0 || currentTotal === 0) return NaN;
  let divergence = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = (reference[i] ?? 0) / referenceTotal;
    const q = (current[i] ?? 0) / currentTotal;
    const m = (p + q) / 2;
    if (p > 0) divergence += p * Math.log(p / m);
    if (q > 0) divergence += q * Math.log(q / m);
  }
  // Rounding can leave a tiny negative divergence for identical inputs.
  return Math.sqrt(Math.max(0, divergence / 2));
}
