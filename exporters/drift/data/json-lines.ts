import type { Table } from "./table.js";
import { DataFileError } from "./table.js";

/**
 * Reads JSON lines: one object per line, blank lines skipped. Columns are the union of
 * the objects' keys in order of first appearance; a key absent from a row is null there.
 */
export function parseJsonLines(file: string, text: string): Table {
  return tableFromObjects(file, objectsOfJsonLines(file, text));
}

export function objectsOfJsonLines(file: string, text: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataFileError(file, `not valid JSON: ${(error as Error).message}`, index + 1);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new DataFileError(file, "expected a JSON object on each line", index + 1);
    objects.push(value as Record<string, unknown>);
  });
  return objects;
}

export function tableFromObjects(file: string, objects: readonly Record<string, unknown>[]): Table {
  const index = new Map<string, number>();
  const values: unknown[][] = [];
  objects.forEach((object, row) => {
    for (const [key, value] of Object.entries(object)) {
      let c = index.get(key);
      if (c === undefined) {
        c = values.length;
        index.set(key, c);
        values.push(new Array<unknown>(objects.length).fill(null));
      }
      const column = values[c];
      if (!column) continue;
      if (value !== null && typeof value === "object" && !(value instanceof Date))
        throw new DataFileError(
          file,
          `row ${row + 1}, column "${key}": expected a number, string, boolean or null, got ${Array.isArray(value) ? "an array" : "an object"}`,
        );
      column[row] = value instanceof Date ? value.toISOString() : (value ?? null);
    }
  });
  return { columns: [...index.keys()], values, rows: objects.length, source: "typed" };
}
