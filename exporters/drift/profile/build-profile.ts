import { mean, standardDeviation } from "simple-statistics";
import { binIndex } from "../statistics/numeric-histogram.js";
import { profileContentHash } from "./content-hash.js";
import type {
  CategoricalFeatureProfile,
  DriftProfile,
  FeatureProfile,
  FeatureType,
  NumericFeatureProfile,
  ProfileSettings,
} from "./drift-profile.js";
import { PROFILE_FORMAT, PROFILE_FORMAT_VERSION } from "./drift-profile.js";
import { numericEdges } from "./numeric-bins.js";
import {
  categoryOf,
  inferFeatureType,
  isNonFiniteNumber,
  readBoolean,
  readNumber,
} from "./infer-feature-type.js";
import type { ValueSource } from "./infer-feature-type.js";

/** One column of reference data; null stands for a missing value. */
export interface ProfileColumn {
  readonly name: string;
  readonly values: readonly unknown[];
}

export interface BuildProfileOptions {
  readonly settings: ProfileSettings;
  readonly source: ValueSource;
  /** Types that win over inference, by column. */
  readonly types?: Readonly<Record<string, FeatureType>>;
  /** Where the data came from, for people (a file name, `live`). */
  readonly sourceName: string;
  readonly created: string;
  /** Version label; the first 12 hex digits of the content hash when absent. */
  readonly version?: string;
}

/** A value that does not fit the type a column was given. */
export interface ProfileValueError {
  readonly column: string;
  /** 0-based index of the row in the data. */
  readonly row: number;
  readonly message: string;
}

export type BuildProfileResult =
  | { readonly ok: true; readonly profile: DriftProfile }
  | { readonly ok: false; readonly errors: readonly ProfileValueError[] };

/** Builds a reference profile from columns of data. */
export function buildProfile(
  columns: readonly ProfileColumn[],
  rows: number,
  options: BuildProfileOptions,
): BuildProfileResult {
  const features: FeatureProfile[] = [];
  const errors: ProfileValueError[] = [];
  for (const column of columns) {
    const type = options.types?.[column.name] ?? inferFeatureType(column.values, options.source);
    const built =
      type === "numeric"
        ? numericFeature(column, options)
        : categoricalFeature(column, type, options);
    if ("error" in built) errors.push(built.error);
    else features.push(built.feature);
  }
  if (errors.length > 0) return { ok: false, errors };
  const body = {
    format_version: PROFILE_FORMAT_VERSION,
    rows,
    settings: options.settings,
    features,
  } as const;
  const contentHash = profileContentHash(body);
  return {
    ok: true,
    profile: {
      format: PROFILE_FORMAT,
      format_version: PROFILE_FORMAT_VERSION,
      version: options.version ?? contentHash.slice("sha256:".length, "sha256:".length + 12),
      content_hash: contentHash,
      created: options.created,
      source: options.sourceName,
      rows,
      settings: options.settings,
      features,
    },
  };
}

type Built<F> = { readonly feature: F } | { readonly error: ProfileValueError };

function numericFeature(
  column: ProfileColumn,
  options: BuildProfileOptions,
): Built<NumericFeatureProfile> {
  const values: number[] = [];
  let nulls = 0;
  for (let row = 0; row < column.values.length; row++) {
    const raw = column.values[row];
    if (raw === null || raw === undefined) {
      nulls++;
      continue;
    }
    const value = readNumber(raw, options.source);
    if (value === undefined)
      return {
        error: {
          column: column.name,
          row,
          message: isNonFiniteNumber(raw, options.source)
            ? `expected a finite number, got ${describeNonFinite(raw)}`
            : `expected a number, got ${JSON.stringify(raw)}`,
        },
      };
    values.push(value);
  }
  values.sort((a, b) => a - b);
  const { edges, coarse } = numericEdges(
    values,
    options.settings.resolution,
    options.settings.bins,
  );
  const counts = new Array<number>(edges.length + 1).fill(0);
  const sums = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) {
    const bin = binIndex(edges, value);
    counts[bin] = (counts[bin] ?? 0) + 1;
    sums[bin] = (sums[bin] ?? 0) + value;
  }
  const empty = values.length === 0;
  return {
    feature: {
      name: column.name,
      type: "numeric",
      count: values.length,
      nulls,
      min: empty ? 0 : (values[0] ?? 0),
      max: empty ? 0 : (values[values.length - 1] ?? 0),
      mean: empty ? 0 : mean(values),
      std: empty ? 0 : standardDeviation(values),
      edges,
      counts,
      sums,
      bins: coarse,
    },
  };
}

function describeNonFinite(raw: unknown): string {
  if (typeof raw !== "number") return `${JSON.stringify(raw)} (beyond the range of a double)`;
  if (Number.isNaN(raw)) return "NaN";
  return `${raw} (a number beyond the range of a double, such as 1e400, reads as Infinity)`;
}

function categoricalFeature(
  column: ProfileColumn,
  type: "categorical" | "boolean",
  options: BuildProfileOptions,
): Built<CategoricalFeatureProfile> {
  const counts = new Map<string, number>();
  let nulls = 0;
  let count = 0;
  for (let row = 0; row < column.values.length; row++) {
    const raw = column.values[row];
    if (raw === null || raw === undefined) {
      nulls++;
      continue;
    }
    let label: string | undefined;
    if (type === "boolean") {
      const value = readBoolean(raw, options.source);
      label = value === undefined ? undefined : String(value);
    } else {
      label = categoryOf(raw);
    }
    if (label === undefined)
      return {
        error: {
          column: column.name,
          row,
          message: `expected ${type === "boolean" ? "true or false" : "a string, number or boolean"}, got ${JSON.stringify(raw)}`,
        },
      };
    counts.set(label, (counts.get(label) ?? 0) + 1);
    count++;
  }
  if (type === "boolean") {
    return {
      feature: {
        name: column.name,
        type,
        count,
        nulls,
        categories: [
          ["false", counts.get("false") ?? 0],
          ["true", counts.get("true") ?? 0],
        ],
        other: 0,
        truncated: false,
      },
    };
  }
  const ranked = [...counts.entries()].sort((a, b) =>
    b[1] !== a[1] ? b[1] - a[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
  );
  const kept = ranked.slice(0, options.settings.max_categories);
  const other = ranked.slice(kept.length).reduce((sum, [, n]) => sum + n, 0);
  return {
    feature: {
      name: column.name,
      type,
      count,
      nulls,
      categories: kept,
      other,
      truncated: kept.length < ranked.length,
    },
  };
}
