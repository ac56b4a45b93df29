import type { FeatureType } from "../profile/drift-profile.js";

export const DRIFT_METHODS = ["psi", "ks", "wasserstein", "jensenshannon", "chisquare"] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

interface MethodSpec {
  /** Tests compare their p-value with the threshold (drift when below); distances their score (drift when at or above). */
  readonly decidesBy: "p_value" | "score";
  readonly defaultThreshold: number;
  readonly types: readonly FeatureType[];
}

/**
 * Default thresholds are the conventional ones: p < 0.05 for the tests, PSI 0.2 (the
 * usual "significant shift" line between 0.1 and 0.25), and 0.1 for the normed
 * Wasserstein and Jensen–Shannon distances (Evidently's defaults).
 */
export const METHODS: Readonly<Record<DriftMethod, MethodSpec>> = {
  psi: { decidesBy: "score", defaultThreshold: 0.2, types: ["numeric", "categorical", "boolean"] },
  ks: { decidesBy: "p_value", defaultThreshold: 0.05, types: ["numeric"] },
  wasserstein: { decidesBy: "score", defaultThreshold: 0.1, types: ["numeric"] },
  jensenshannon: {
    decidesBy: "score",
    defaultThreshold: 0.1,
    types: ["numeric", "categorical", "boolean"],
  },
  chisquare: { decidesBy: "p_value", defaultThreshold: 0.05, types: ["categorical", "boolean"] },
};

/** Below or at this many samples, the default is a statistical test; above, a distance. */
export const SMALL_SAMPLE_LIMIT = 1000;

/**
 * The default method for a feature. With few samples (the smaller of the reference and
 * the window's capacity at most 1,000) a test is the better judge: KS for numbers,
 * chi-square for categories. With more, tests call every tiny, harmless difference
 * significant, so a distance with a fixed threshold takes over: PSI for numbers (exact
 * on the profile's bins, and the convention model-risk teams know), Jensen–Shannon for
 * categories. The choice is made once, from sizes known at start, so the `method` label
 * of a series never changes while the window fills.
 */
export function defaultMethod(
  type: FeatureType,
  referenceSamples: number,
  windowCapacity: number | undefined,
): DriftMethod {
  const samples = Math.min(referenceSamples, windowCapacity ?? Infinity);
  const small = samples <= SMALL_SAMPLE_LIMIT;
  if (type === "numeric") return small ? "ks" : "psi";
  return small ? "chisquare" : "jensenshannon";
}

export function methodApplies(method: DriftMethod, type: FeatureType): boolean {
  return METHODS[method].types.includes(type);
}
