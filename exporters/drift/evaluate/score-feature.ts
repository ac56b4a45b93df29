import { chiSquareHomogeneity } from "../statistics/chi-square.js";
import { jensenShannonDistance } from "../statistics/jensen-shannon.js";
import {
  kolmogorovSmirnovPValue,
  kolmogorovSmirnovStatistic,
} from "../statistics/kolmogorov-smirnov.js";
import { populationStabilityIndex, total } from "../statistics/population-stability-index.js";
import { wassersteinDistance } from "../statistics/wasserstein.js";
import type { DriftMethod } from "./drift-methods.js";
import { METHODS } from "./drift-methods.js";
import type { MethodPlan, MonitoredFeature } from "./monitored-feature.js";

export interface MethodScore {
  readonly method: DriftMethod;
  /** The statistic: PSI, KS D, normed Wasserstein, JS distance, or the chi-square statistic. */
  readonly score: number;
  /** For the tests (ks, chisquare) only. */
  readonly pValue?: number;
  readonly threshold: number;
  readonly detected: boolean;
}

export interface FeatureScores {
  readonly feature: string;
  readonly windowSamples: number;
  readonly referenceSamples: number;
  /** Undefined below the minimum sample gate: no score is published then. */
  readonly scores: readonly MethodScore[] | undefined;
}

export interface ScoringOptions {
  readonly minSamples: number;
  readonly psiEpsilon: number;
}

/**
 * Scores one feature's window against its reference. `counts` and `sums` are the window's
 * aggregated pane arrays; the feature reads its own slice at its offset.
 */
export function scoreFeature(
  feature: MonitoredFeature,
  counts: Float64Array,
  sums: Float64Array,
  options: ScoringOptions,
): FeatureScores {
  const currentCounts = counts.subarray(feature.offset, feature.offset + feature.size);
  const windowSamples = total(currentCounts);
  const base = {
    feature: feature.name,
    windowSamples,
    referenceSamples: feature.referenceSamples,
  };
  if (windowSamples < options.minSamples || feature.referenceSamples < options.minSamples)
    return { ...base, scores: undefined };
  const currentSums = sums.subarray(feature.offset, feature.offset + feature.size);
  return {
    ...base,
    scores: feature.methods.map((plan) =>
      scoreMethod(feature, plan, currentCounts, currentSums, windowSamples, options),
    ),
  };
}

function scoreMethod(
  feature: MonitoredFeature,
  plan: MethodPlan,
  counts: Float64Array,
  sums: Float64Array,
  windowSamples: number,
  options: ScoringOptions,
): MethodScore {
  let score: number;
  let pValue: number | undefined;
  const distribution = (): { reference: Float64Array; current: Float64Array } =>
    feature.type === "numeric"
      ? {
          reference: feature.referenceCoarse,
          current: coarsen(counts, feature.coarseOf, feature.referenceCoarse.length),
        }
      : { reference: feature.referenceCounts, current: counts };
  switch (plan.method) {
    case "psi": {
      const { reference, current } = distribution();
      score = populationStabilityIndex(reference, current, options.psiEpsilon);
      break;
    }
    case "jensenshannon": {
      const { reference, current } = distribution();
      score = jensenShannonDistance(reference, current);
      break;
    }
    case "ks":
      score = kolmogorovSmirnovStatistic(feature.referenceCounts, counts);
      pValue = kolmogorovSmirnovPValue(score, feature.referenceSamples, windowSamples);
      break;
    case "wasserstein":
      if (feature.type !== "numeric") throw new Error("wasserstein needs a numeric feature");
      score = wassersteinDistance(
        feature.edges,
        { counts: feature.referenceCounts, sums: feature.referenceSums },
        { counts, sums },
        feature.scale,
      );
      break;
    case "chisquare": {
      const result = chiSquareHomogeneity(feature.referenceCounts, counts);
      score = result.statistic;
      pValue = result.pValue;
      break;
    }
  }
  const detected =
    METHODS[plan.method].decidesBy === "p_value"
      ? (pValue ?? 1) < plan.threshold
      : score >= plan.threshold;
  return pValue === undefined
    ? { method: plan.method, score, threshold: plan.threshold, detected }
    : { method: plan.method, score, pValue, threshold: plan.threshold, detected };
}

function coarsen(counts: Float64Array, coarseOf: Int32Array, bins: number): Float64Array {
  const out = new Float64Array(bins);
  for (let i = 0; i < counts.length; i++) {
    const target = coarseOf[i] ?? 0;
    out[target] = (out[target] ?? 0) + (counts[i] ?? 0);
  }
  return out;
}

export interface DatasetDrift {
  /** Features that passed the sample gate. */
  readonly scored: number;
  readonly drifted: number;
  /** drifted / scored; undefined when nothing was scored. */
  readonly share: number | undefined;
  readonly detected: boolean | undefined;
}

/** Dataset-level drift: the share of scored features whose first method detects drift. */
export function datasetDrift(features: readonly FeatureScores[], driftShare: number): DatasetDrift {
  let scored = 0;
  let drifted = 0;
  for (const feature of features) {
    const primary = feature.scores?.[0];
    if (!primary) continue;
    scored++;
    if (primary.detected) drifted++;
  }
  if (scored === 0) return { scored, drifted, share: undefined, detected: undefined };
  const share = drifted / scored;
  return { scored, drifted, share, detected: share >= driftShare };
}
