import type { Table } from "./table.js";
import { DataFileError } from "./table.js";

/**
 * Reads JSON lines: one object per line, blank lines skipped. Columns are the union of
 * the objects' keys in order of first appearance; a key absent from a row is null there.
 */
export function parseJsonLines(file: string, text: string): Table {
  const { objects, lines } = objectsOfJsonLines(file, text);
  return tableFromObjects(file, objects, lines);
}

/** The objects of a JSON-lines text, with the 1-based line each was on. */
export function objectsOfJsonLines(
  file: string,
  text: string,
): { readonly objects: Record<string, unknown>[]; readonly lines: number[] } {
  const objects: Record<string, unknown>[] = [];
  const lines: number[] = [];
  text.split("\n").forEach((raw, index) => {
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
    lines.push(index + 1);
  });
  return { objects, lines };
}

/** `lines` (1-based, per object) when the objects came from a text file. */
export function tableFromObjects(
  file: string,
  objects: readonly Record<string, unknown>[],
  lines?: readonly number[],
): Table {
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
      if (value !== null && typeof value === "object" && !(value instanceof Date)) {
        const what = `expected a number, string, boolean or null, got ${Array.isArray(value) ? "an array" : "an object"}`;
        const line = lines?.[row];
        throw line === undefined
          ? new DataFileError(file, `row ${row + 1}, column "${key}": ${what}`)
          : new DataFileError(file, `column "${key}": ${what}`, line);
      }
      column[row] = value instanceof Date ? value.toISOString() : (value ?? null);
    }
  });
  return {
    columns: [...index.keys()],
    values,
    rows: objects.length,
    source: "typed",
    ...(lines ? { rowLines: lines } : {}),
  };
}
