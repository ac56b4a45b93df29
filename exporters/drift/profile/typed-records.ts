import type { Table } from "../data/table.js";
import type { DriftProfile } from "./drift-profile.js";
import { readBoolean, readNumber } from "./infer-feature-type.js";

/**
 * The rows of a table as records, each value read as its feature's type in the profile:
 * "3.5" from a CSV becomes 3.5 for a numeric feature. A value that does not read as its
 * type stays as it is, so it is counted as a type mismatch like a live one would be.
 */
export function typedRecords(table: Table, profile: DriftProfile): Record<string, unknown>[] {
  const types = new Map(profile.features.map((f) => [f.name, f.type]));
  const records: Record<string, unknown>[] = [];
  for (let row = 0; row < table.rows; row++) {
    const record: Record<string, unknown> = {};
    table.columns.forEach((column, c) => {
      const raw = table.values[c]?.[row] ?? null;
      const type = types.get(column);
      let value: unknown = raw;
      if (raw !== null && type === "numeric") value = readNumber(raw, table.source) ?? raw;
      else if (raw !== null && type === "boolean") value = readBoolean(raw, table.source) ?? raw;
      else if (typeof raw === "bigint") value = Number(raw);
      record[column] = value;
    });
    records.push(record);
  }
  return records;
}
