import type { Table } from "./table.js";
import { DataFileError } from "./table.js";

/** Cells read as missing by default (pandas reads most of these as NaN too). */
export const DEFAULT_NULL_VALUES: readonly string[] = [
  "",
  "NA",
  "N/A",
  "NaN",
  "nan",
  "null",
  "NULL",
  "None",
];

/**
 * Reads CSV (RFC 4180: a header line, commas, double-quoted fields with "" escapes, LF or
 * CRLF). Whitespace around unquoted fields is trimmed, so "a, b" (the UCI Adult style)
 * reads as "a" and "b". Cells in `nullValues` become null; the rest stay strings, typed
 * later per column.
 */
export function parseCsv(file: string, text: string, nullValues: ReadonlySet<string>): Table {
  const records = splitRecords(file, text);
  const header = records.shift();
  if (!header) throw new DataFileError(file, "empty file: expected a header line");
  const columns = header.fields.map((f) => f.text);
  const seen = new Set<string>();
  columns.forEach((name, index) => {
    if (name === "") throw new DataFileError(file, `column ${index + 1} has no name`, 1);
    if (seen.has(name)) throw new DataFileError(file, `duplicate column "${name}"`, 1);
    seen.add(name);
  });
  const values = columns.map(() => new Array<unknown>(records.length));
  records.forEach((record, row) => {
    if (record.fields.length !== columns.length)
      throw new DataFileError(
        file,
        `expected ${columns.length} fields (as in the header), found ${record.fields.length}`,
        record.line,
      );
    record.fields.forEach((field, c) => {
      const column = values[c];
      if (column) column[row] = !field.quoted && nullValues.has(field.text) ? null : field.text;
    });
  });
  return {
    columns,
    values,
    rows: records.length,
    source: "text",
    rowLines: records.map((record) => record.line),
  };
}

interface CsvField {
  readonly text: string;
  readonly quoted: boolean;
}

interface CsvRecord {
  readonly line: number;
  readonly fields: CsvField[];
}

function splitRecords(file: string, text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: CsvField[] = [];
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = (): void => {
    if (!(fields.length === 1 && fields[0]?.text === "" && !fields[0].quoted))
      records.push({ line: recordLine, fields });
    fields = [];
  };
  while (i <= text.length) {
    // One field per iteration.
    let value = "";
    let quoted = false;
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
    if (text[i] === '"') {
      quoted = true;
      const openLine = line;
      const openCol = i - text.lastIndexOf("\n", i - 1);
      i++;
      for (;;) {
        if (i >= text.length)
          throw new DataFileError(file, "unterminated quoted field", openLine, openCol);
        const ch = text[i];
        if (ch === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === "\n") line++;
        value += ch;
        i++;
      }
      while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
    } else {
      const start = i;
      while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") i++;
      value = text.slice(start, i).trimEnd();
    }
    fields.push({ text: value, quoted });
    if (i >= text.length) {
      endRecord();
      break;
    }
    const ch = text[i];
    if (ch === ",") {
      i++;
      continue;
    }
    if (ch === "\r" && text[i + 1] === "\n") i++;
    if (ch === "\r" || ch === "\n") {
      i++;
      line++;
      endRecord();
      recordLine = line;
      if (i >= text.length) break;
      continue;
    }
    throw new DataFileError(
      file,
      `unexpected character ${JSON.stringify(ch)} after a quoted field`,
      line,
      i - text.lastIndexOf("\n", i - 1),
    );
  }
  return records;
}
