import type { NumericHistogram } from "./numeric-histogram.js";
import { total } from "./population-stability-index.js";

/**
 * Wasserstein-1 distance (the area between the two CDFs) from binned samples, divided by
 * `scale` (the reference's standard deviation: Evidently's "normed" Wasserstein).
 *
 * For a bin (a, b] the integral of a CDF is exact from the bin's count and sum:
 * ∫ₐᵇ F = F(a)(b − a) + p·b − S/N, and for the open outer bins ∫ F = p·e − S/N below the
 * first edge and ∫ (1 − F) = S/N − p·e above the last. Summing |∫ (F_ref − F_cur)| bin by
 * bin is therefore exact wherever the two CDFs do not cross inside a bin, and a lower
 * bound otherwise (the loss is confined to the bins where the CDFs cross, where the
 * difference is small anyway).
 */
export function wassersteinDistance(
  edges: ArrayLike<number>,
  reference: NumericHistogram,
  current: NumericHistogram,
  scale: number,
): number {
  const n = total(reference.counts);
  const m = total(current.counts);
  if (n === 0 || m === 0) return NaN;
  const bins = edges.length + 1;
  if (bins === 1) {
    const difference = (reference.sums[0] ?? 0) / n - (current.sums[0] ?? 0) / m;
    return Math.abs(difference) / scale;
  }
  let distance = 0;
  let referenceCdf = 0;
  let currentCdf = 0;
  for (let i = 0; i < bins; i++) {
    const p = (reference.counts[i] ?? 0) / n;
    const q = (current.counts[i] ?? 0) / m;
    const referenceMass = (reference.sums[i] ?? 0) / n;
    const currentMass = (current.sums[i] ?? 0) / m;
    let integral: number;
    if (i === 0) {
      const edge = edges[0] ?? 0;
      integral = p * edge - referenceMass - (q * edge - currentMass);
    } else if (i === bins - 1) {
      const edge = edges[i - 1] ?? 0;
      integral = currentMass - q * edge - (referenceMass - p * edge);
    } else {
      const low = edges[i - 1] ?? 0;
      const high = edges[i] ?? 0;
      integral =
        (referenceCdf - currentCdf) * (high - low) +
        (p * high - referenceMass) -
        (q * high - currentMass);
    }
    distance += Math.abs(integral);
    referenceCdf += p;
    currentCdf += q;
  }
  return distance / scale;
}
