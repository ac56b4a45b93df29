import type { FeatureProfile, FeatureType } from "../profile/drift-profile.js";
import type { DriftMethod } from "./drift-methods.js";

export interface MethodPlan {
  readonly method: DriftMethod;
  readonly threshold: number;
}

interface BaseFeature {
  readonly name: string;
  readonly type: FeatureType;
  /** Where this feature's bins start in a window pane. */
  readonly offset: number;
  /** Number of bins it uses in a pane. */
  readonly size: number;
  readonly referenceSamples: number;
  /** The first decides whether the feature counts as drifted. */
  readonly methods: readonly MethodPlan[];
}

export interface MonitoredNumericFeature extends BaseFeature {
  readonly type: "numeric";
  readonly edges: Float64Array;
  readonly referenceCounts: Float64Array;
  readonly referenceSums: Float64Array;
  /** Coarse bin of each fine bin, and the reference's coarse counts. */
  readonly coarseOf: Int32Array;
  readonly referenceCoarse: Float64Array;
  /** Values outside [low, high] count as out of range. */
  readonly low: number;
  readonly high: number;
  /** Wasserstein normaliser: the reference's standard deviation (1 if it is 0). */
  readonly scale: number;
}

export interface MonitoredCategoricalFeature extends BaseFeature {
  readonly type: "categorical" | "boolean";
  /** Bin of each known category; the last bin (size − 1) takes unseen and lumped values. */
  readonly categories: ReadonlyMap<string, number>;
  readonly referenceCounts: Float64Array;
  /** Whether a value outside `categories` is a new category (false when the profile lumped some). */
  readonly countsUnseen: boolean;
}

export type MonitoredFeature = MonitoredNumericFeature | MonitoredCategoricalFeature;

/** Turns a feature's profile into what the window and the statistics work on. */
export function monitorFeature(
  profile: FeatureProfile,
  offset: number,
  methods: readonly MethodPlan[],
  range: readonly [number, number] | undefined,
): MonitoredFeature {
  if (profile.type === "numeric") {
    const edges = Float64Array.from(profile.edges);
    const coarse = new Set(profile.bins);
    const coarseOf = new Int32Array(edges.length + 1);
    let bin = 0;
    for (let i = 0; i < coarseOf.length; i++) {
      coarseOf[i] = bin;
      // Fine bin i ends at edges[i]; a coarse edge there closes the coarse bin too.
      if (i < edges.length && coarse.has(edges[i] ?? NaN)) bin++;
    }
    const referenceCoarse = new Float64Array(profile.bins.length + 1);
    profile.counts.forEach((count, i) => {
      const target = coarseOf[i] ?? 0;
      referenceCoarse[target] = (referenceCoarse[target] ?? 0) + count;
    });
    return {
      name: profile.name,
      type: "numeric",
      offset,
      size: edges.length + 1,
      referenceSamples: profile.count,
      methods,
      edges,
      referenceCounts: Float64Array.from(profile.counts),
      referenceSums: Float64Array.from(profile.sums),
      coarseOf,
      referenceCoarse,
      low: range?.[0] ?? profile.min,
      high: range?.[1] ?? profile.max,
      scale: profile.std > 0 ? profile.std : 1,
    };
  }
  const categories = new Map<string, number>();
  profile.categories.forEach(([value], index) => categories.set(value, index));
  const referenceCounts = new Float64Array(profile.categories.length + 1);
  profile.categories.forEach(([, count], index) => (referenceCounts[index] = count));
  referenceCounts[profile.categories.length] = profile.other;
  return {
    name: profile.name,
    type: profile.type,
    offset,
    size: profile.categories.length + 1,
    referenceSamples: profile.count,
    methods,
    categories,
    referenceCounts,
    countsUnseen: !profile.truncated,
  };
}
