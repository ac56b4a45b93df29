import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseCsv } from "./csv.js";
import { parseJsonLines } from "./json-lines.js";
import { readParquet } from "./parquet.js";
import type { Table } from "./table.js";
import { DataFileError } from "./table.js";

export type DataFormat = "csv" | "jsonl" | "parquet";
export const DATA_FORMATS: readonly DataFormat[] = ["csv", "jsonl", "parquet"];

/** The format a file name implies: .csv, .jsonl/.ndjson, .parquet. */
export function formatOfFile(file: string): DataFormat | undefined {
  switch (extname(file).toLowerCase()) {
    case ".csv":
      return "csv";
    case ".jsonl":
    case ".ndjson":
      return "jsonl";
    case ".parquet":
    case ".pq":
      return "parquet";
    default:
      return undefined;
  }
}

export async function readTable(
  file: string,
  format: DataFormat,
  nullValues: ReadonlySet<string>,
): Promise<Table> {
  if (format === "parquet") return readParquet(file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new DataFileError(
      file,
      `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  return format === "csv" ? parseCsv(file, text, nullValues) : parseJsonLines(file, text);
}
