import { describe, expect, it } from "vitest";
import { chiSquareHomogeneity } from "../../../exporters/drift/statistics/chi-square.js";
import { jensenShannonDistance } from "../../../exporters/drift/statistics/jensen-shannon.js";
import {
  kolmogorovSmirnovPValue,
  kolmogorovSmirnovStatistic,
  kolmogorovSurvival,
} from "../../../exporters/drift/statistics/kolmogorov-smirnov.js";
import { populationStabilityIndex } from "../../../exporters/drift/statistics/population-stability-index.js";
import { chiSquaredSurvival } from "../../../exporters/drift/statistics/regularized-gamma.js";
import { wassersteinDistance } from "../../../exporters/drift/statistics/wasserstein.js";
import { binIndex } from "../../../exporters/drift/statistics/numeric-histogram.js";

/** Counts and sums per bin of `values` over `edges`, as a window pane holds them. */
function histogram(edges: number[], values: number[]) {
  const counts = new Array<number>(edges.length + 1).fill(0);
  const sums = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    const bin = binIndex(edges, v);
    counts[bin] = (counts[bin] ?? 0) + 1;
    sums[bin] = (sums[bin] ?? 0) + v;
  }
  return { counts, sums };
}

describe("chi-square", () => {
  it("matches scipy.stats.chi2_contingency's documented example", () => {
    // scipy docs, chi2_contingency: obs = [[10, 10, 20], [20, 20, 20]] gives
    // statistic 2.7777777777777777, p-value 0.24935220877729619, dof 2.
    const result = chiSquareHomogeneity([10, 10, 20], [20, 20, 20]);
    expect(result.statistic).toBeCloseTo(2.7777777777777777, 12);
    expect(result.pValue).toBeCloseTo(0.24935220877729619, 10);
    expect(result.degreesOfFreedom).toBe(2);
  });

  it("applies Yates's correction at one degree of freedom, as scipy does by default", () => {
    // By hand: totals 10 and 11, columns 13 and 8; expected 6.1905/3.8095 and 6.8095/4.1905;
    // |O − E| = 1.1905 each, corrected to 0.6905; Σ 0.6905²/E = 0.385948 (scipy: 0.38594842657342676).
    // Evidently's goodness-of-fit test on the same data (its unit test: ['a']*5+['b']*5
    // against ['a']*8+['b']*3) reports p = 0.1169, treating the reference as exact.
    const result = chiSquareHomogeneity([5, 5], [8, 3]);
    expect(result.statistic).toBeCloseTo(0.38594842657342676, 10);
    expect(result.pValue).toBeCloseTo(0.5344368064255606, 8);
  });

  it("gives the textbook critical values their 5% tail", () => {
    // Standard chi-square table: 3.841 (1 dof), 5.991 (2), 18.307 (10) at alpha = 0.05.
    expect(chiSquaredSurvival(3.841, 1)).toBeCloseTo(0.05, 4);
    expect(chiSquaredSurvival(5.991, 2)).toBeCloseTo(0.05, 4);
    expect(chiSquaredSurvival(18.307, 10)).toBeCloseTo(0.05, 4);
    expect(chiSquaredSurvival(100, 50) / 3.454931382984871e-5).toBeCloseTo(1, 8);
  });

  it("ignores categories empty in both samples and has nothing to test with one category", () => {
    expect(chiSquareHomogeneity([10, 0, 20], [20, 0, 20]).degreesOfFreedom).toBe(1);
    expect(chiSquareHomogeneity([10, 0], [5, 0])).toEqual({
      statistic: 0,
      pValue: 1,
      degreesOfFreedom: 0,
    });
  });
});

describe("Jensen–Shannon distance", () => {
  it("matches scipy.spatial.distance.jensenshannon's documented examples (natural log)", () => {
    // scipy docs: jensenshannon([1.0, 0.0], [0.5, 0.5]) = 0.46450140402245893;
    // jensenshannon([1, 0, 0], [0, 1, 0], base 2) = 1.0, i.e. sqrt(ln 2) in natural log.
    expect(jensenShannonDistance([1, 0], [0.5, 0.5])).toBeCloseTo(0.46450140402245893, 12);
    expect(jensenShannonDistance([1, 0, 0], [0, 1, 0])).toBeCloseTo(Math.sqrt(Math.LN2), 12);
    expect(jensenShannonDistance([3, 5, 2], [30, 50, 20])).toBe(0);
  });
});

describe("population stability index", () => {
  it("matches a hand computation, with epsilon standing in for an empty bin", () => {
    // p = (0.25, 0.25, 0.5), q = (0.5, 0.25, 0.25):
    // (0.25)·ln 2 + 0 + (−0.25)·ln 0.5 = 0.5·ln 2 = 0.34657.
    expect(populationStabilityIndex([1, 1, 2], [2, 1, 1], 1e-4)).toBeCloseTo(0.5 * Math.LN2, 12);
    // An empty current bin: q = 1e-4 instead of 0, p = 0.5: (1e-4 − 0.5)·ln(1e-4 / 0.5)
    // + (1 − 0.5)·ln(1 / 0.5) = 4.2586 + 0.3466.
    const expected = (1e-4 - 0.5) * Math.log(1e-4 / 0.5) + 0.5 * Math.log(2);
    expect(populationStabilityIndex([5, 5], [0, 10], 1e-4)).toBeCloseTo(expected, 12);
  });
});

describe("Kolmogorov–Smirnov", () => {
  it("gives the published critical values their significance", () => {
    // Two-sample KS critical coefficients c(α) (Smirnov 1948; e.g. the Wikipedia table):
    // 1.224 (0.10), 1.358 (0.05), 1.628 (0.01), 1.949 (0.001).
    expect(kolmogorovSurvival(1.224)).toBeCloseTo(0.1, 3);
    expect(kolmogorovSurvival(1.358)).toBeCloseTo(0.05, 3);
    expect(kolmogorovSurvival(1.628)).toBeCloseTo(0.01, 3);
    expect(kolmogorovSurvival(1.949)).toBeCloseTo(0.001, 4);
    expect(kolmogorovSurvival(0.01)).toBe(1);
  });

  it("stays within 5% of scipy's asymptotic ks_2samp p-values", () => {
    // scipy 1.17 stats.kstwo.sf(d, round(n·m/(n+m))), the ks_2samp 'asymp' p-value:
    const cases: [number, number, number, number][] = [
      [0.1, 1000, 1000, 8.342293067263533e-5],
      [0.05, 5000, 800, 0.061357287546370154],
      [0.2, 100, 5832, 0.0006524743257872499],
      [0.3, 50, 50, 0.0171781183234907],
      [0.15, 200, 5000, 0.0003093303846281925],
    ];
    for (const [d, n, m, scipy] of cases)
      expect(Math.abs(kolmogorovSmirnovPValue(d, n, m) / scipy - 1)).toBeLessThan(0.05);
  });

  it("computes D exactly when every value is an edge", () => {
    // Hand: samples {1..5} and {3..8}; at x = 5 F = 1, G = 3/6: D = 0.5 (scipy ks_2samp: 0.5).
    const edges = [1, 2, 3, 4, 5, 6, 7, 8];
    const a = histogram(edges, [1, 2, 3, 4, 5]);
    const b = histogram(edges, [3, 4, 5, 6, 7, 8]);
    expect(kolmogorovSmirnovStatistic(a.counts, b.counts)).toBe(0.5);
  });
});

describe("Wasserstein distance", () => {
  it("matches scipy.stats.wasserstein_distance's documented examples", () => {
    // scipy docs: wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0; all of the second
    // sample lies in the open top bin, whose integral is exact from its sum.
    const edges = [0, 1, 3];
    expect(
      wassersteinDistance(edges, histogram(edges, [0, 1, 3]), histogram(edges, [5, 6, 8]), 1),
    ).toBeCloseTo(5, 12);
    // wasserstein_distance([0, 1], [0, 1], [3, 1], [2, 2]) = 0.25: weights as repeated values.
    expect(
      wassersteinDistance(
        [0, 1],
        histogram([0, 1], [0, 0, 0, 1]),
        histogram([0, 1], [0, 0, 1, 1]),
        1,
      ),
    ).toBeCloseTo(0.25, 12);
  });

  it("is exact when the CDFs do not cross inside a bin, whatever the bins", () => {
    // A pure shift by 2.5 of a sample: W = 2.5 exactly, even with coarse bins.
    const sample = [0.3, 1.1, 1.7, 2.2, 3.9, 4.4, 5.0, 6.8];
    const edges = [1, 4];
    const shifted = sample.map((v) => v + 2.5);
    expect(
      wassersteinDistance(edges, histogram(edges, sample), histogram(edges, shifted), 1),
    ).toBeCloseTo(2.5, 12);
  });
});
