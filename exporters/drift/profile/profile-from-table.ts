import type { Table } from "../data/table.js";
import type { BuildProfileResult } from "./build-profile.js";
import { buildProfile } from "./build-profile.js";
import type { FeatureType, ProfileSettings } from "./drift-profile.js";

export interface TableProfileOptions {
  readonly settings: ProfileSettings;
  /** Only these columns (default: all but `exclude`). */
  readonly columns?: readonly string[];
  readonly exclude?: readonly string[];
  readonly types?: Readonly<Record<string, FeatureType>>;
  readonly sourceName: string;
  readonly created: string;
  readonly version?: string;
}

/** Builds a profile from a table read from a file; unknown column names are errors. */
export function profileFromTable(
  table: Table,
  options: TableProfileOptions,
): BuildProfileResult | { readonly ok: false; readonly unknownColumns: readonly string[] } {
  const known = new Set(table.columns);
  const asked = [
    ...(options.columns ?? []),
    ...(options.exclude ?? []),
    ...Object.keys(options.types ?? {}),
  ];
  const unknownColumns = asked.filter((c) => !known.has(c));
  if (unknownColumns.length > 0) return { ok: false, unknownColumns };
  const excluded = new Set(options.exclude ?? []);
  const selected = (options.columns ?? table.columns).filter((c) => !excluded.has(c));
  const columns = selected.map((name) => ({
    name,
    values: table.values[table.columns.indexOf(name)] ?? [],
  }));
  return buildProfile(columns, table.rows, {
    settings: options.settings,
    source: table.source,
    types: options.types,
    sourceName: options.sourceName,
    created: options.created,
    version: options.version,
  });
}
