import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { tableFromObjects } from "./json-lines.js";
import type { Table } from "./table.js";
import { DataFileError } from "./table.js";

/**
 * Reads a Parquet file with hyparquet (pure JavaScript, no native code), with the
 * codecs of hyparquet-compressors (snappy, gzip, brotli, zstd, lz4). Values keep their
 * Parquet types: INT64 arrives as bigint and is read as a number; timestamps as ISO text.
 */
export async function readParquet(file: string): Promise<Table> {
  let rows: Record<string, unknown>[];
  try {
    const buffer = await asyncBufferFromFile(file);
    rows = (await parquetReadObjects({ file: buffer, compressors })) as Record<string, unknown>[];
  } catch (error) {
    throw new DataFileError(file, `cannot read Parquet: ${(error as Error).message}`);
  }
  return tableFromObjects(file, rows);
}
