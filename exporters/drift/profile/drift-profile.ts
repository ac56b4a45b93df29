/**
 * A reference profile: what the live data is compared with. It is a JSON document
 * (`aiwatch drift profile DATA --out profile.json` writes one) whose statistics are
 * everything the exporter needs, so it never reads the reference data itself.
 */
export const PROFILE_FORMAT = "aiwatch.drift.profile";
export const PROFILE_FORMAT_VERSION = 1;

export const FEATURE_TYPES = ["numeric", "categorical", "boolean"] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export interface NumericFeatureProfile {
  readonly name: string;
  readonly type: "numeric";
  /** Non-null values. */
  readonly count: number;
  readonly nulls: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation (ddof 0, as numpy's default). */
  readonly std: number;
  /**
   * Fine edges from the reference's quantiles (every distinct value when there are few),
   * open at both ends; the KS statistic and the Wasserstein distance use these.
   */
  readonly edges: readonly number[];
  /** Reference count and sum of values per fine bin (edges.length + 1 each). */
  readonly counts: readonly number[];
  readonly sums: readonly number[];
  /** Coarse edges, a subset of `edges`: the bins PSI and Jensen–Shannon compare. */
  readonly bins: readonly number[];
}

export interface CategoricalFeatureProfile {
  readonly name: string;
  readonly type: "categorical" | "boolean";
  readonly count: number;
  readonly nulls: number;
  /** [value, count], most frequent first; booleans are "true" and "false". */
  readonly categories: readonly (readonly [string, number])[];
  /** Values of categories left out beyond the category limit, lumped together. */
  readonly other: number;
  /** True when categories were left out: unseen categories are then not counted. */
  readonly truncated: boolean;
}

export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

export interface DriftProfile {
  readonly format: typeof PROFILE_FORMAT;
  readonly format_version: typeof PROFILE_FORMAT_VERSION;
  /** A label for people and for the `version` label of aiwatch_data_reference_info. */
  readonly version: string;
  /** `sha256:` + hex digest of the statistics (see content-hash.ts). */
  readonly content_hash: string;
  readonly created: string;
  readonly source: string;
  readonly rows: number;
  readonly settings: ProfileSettings;
  readonly features: readonly FeatureProfile[];
}

export interface ProfileSettings {
  /** Coarse bins for PSI and Jensen–Shannon. */
  readonly bins: number;
  /** Fine bins (quantile resolution) for KS and Wasserstein. */
  readonly resolution: number;
  readonly max_categories: number;
}

export const DEFAULT_PROFILE_SETTINGS: ProfileSettings = {
  bins: 10,
  resolution: 100,
  max_categories: 100,
};
