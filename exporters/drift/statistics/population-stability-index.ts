/**
 * Population Stability Index over matching bins: Σ (q − p) · ln(q / p), with p the
 * reference's and q the current share of each bin. An empty bin's share is replaced by
 * `epsilon` (Evidently's choice, 0.0001 by default) so that the logarithm stays finite;
 * the score then grows with how empty the bin is, not to infinity.
 */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  epsilon: number,
): number {
  const referenceTotal = total(reference);
  const currentTotal = total(current);
  if (referenceTotal === 0 || currentTotal === 0) return NaN;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = share(reference[i] ?? 0, referenceTotal, epsilon);
    const q = share(current[i] ?? 0, currentTotal, epsilon);
    psi += (q - p) * Math.log(q / p);
  }
  return psi;
}

function share(count: number, total: number, epsilon: number): number {
  return count === 0 ? epsilon : count / total;
}

export function total(counts: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i] ?? 0;
  return sum;
}
