import { chiSquaredSurvival } from "./regularized-gamma.js";

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly degreesOfFreedom: number;
}

/**
 * Pearson's chi-square test of homogeneity on the 2×k table (reference counts, current
 * counts), as scipy.stats.chi2_contingency computes it, Yates's continuity correction
 * included when there is one degree of freedom. Categories empty in both samples are
 * left out. This is the two-sample test (NannyML's choice): the reference is a sample
 * too, not a known distribution as Evidently's goodness-of-fit `chisquare` assumes.
 */
export function chiSquareHomogeneity(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): ChiSquareResult {
  let referenceTotal = 0;
  let currentTotal = 0;
  let columns = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] ?? 0;
    const c = current[i] ?? 0;
    referenceTotal += r;
    currentTotal += c;
    if (r + c > 0) columns++;
  }
  const total = referenceTotal + currentTotal;
  const degreesOfFreedom = columns - 1;
  if (degreesOfFreedom < 1 || referenceTotal === 0 || currentTotal === 0)
    return { statistic: 0, pValue: 1, degreesOfFreedom: Math.max(0, degreesOfFreedom) };
  const yates = degreesOfFreedom === 1;
  let statistic = 0;
  for (let i = 0; i < reference.length; i++) {
    const columnTotal = (reference[i] ?? 0) + (current[i] ?? 0);
    if (columnTotal === 0) continue;
    statistic += cell(reference[i] ?? 0, (referenceTotal * columnTotal) / total, yates);
    statistic += cell(current[i] ?? 0, (currentTotal * columnTotal) / total, yates);
  }
  return { statistic, pValue: chiSquaredSurvival(statistic, degreesOfFreedom), degreesOfFreedom };
}

function cell(observed: number, expected: number, yates: boolean): number {
  let difference = Math.abs(observed - expected);
  if (yates) difference -= Math.min(0.5, difference);
  return (difference * difference) / expected;
}
