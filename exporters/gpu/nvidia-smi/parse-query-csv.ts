export interface CsvColumn {
  /** The header cell as printed (`memory.used [MiB]`). */
  readonly header: string;
  /** The field name as queried. */
  readonly name: string;
  /** The unit nvidia-smi prints in brackets after the name (`memory.used [MiB]`), if any. */
  readonly unit: string | undefined;
}

export interface QueryCsv {
  readonly columns: readonly CsvColumn[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line numbers of rows whose cell count does not match the header. */
  readonly malformedLines: readonly number[];
}

/**
 * `--format=csv` output: a header of field names with units, then one row per device.
 * nvidia-smi neither quotes nor escapes, so a comma inside a value makes the row
 * ambiguous; callers that put a free-text field last (process names) may rejoin the
 * surplus cells into it, and every other mismatched row is reported, never guessed.
 */
export function parseQueryCsv(
  text: string,
  options: { joinSurplusIntoLast?: boolean } = {},
): QueryCsv {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  const headerIndex = lines.findIndex((line) => line.trim() !== "");
  if (headerIndex < 0) return { columns: [], rows: [], malformedLines: [] };
  const columns = (lines[headerIndex] ?? "").split(",").map((cell) => parseColumn(cell.trim()));
  const rows: string[][] = [];
  const malformedLines: number[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    let raw = line.split(",");
    if (raw.length > columns.length && options.joinSurplusIntoLast)
      raw = [...raw.slice(0, columns.length - 1), raw.slice(columns.length - 1).join(",")];
    const cells = raw.map((cell) => cell.trim());
    if (cells.length !== columns.length) {
      malformedLines.push(i + 1);
      continue;
    }
    rows.push(cells);
  }
  return { columns, rows, malformedLines };
}

function parseColumn(cell: string): CsvColumn {
  const match = /^(.*?)\s*\[(.+)\]$/.exec(cell);
  return match
    ? { header: cell, name: match[1] ?? cell, unit: match[2] }
    : { header: cell, name: cell, unit: undefined };
}
