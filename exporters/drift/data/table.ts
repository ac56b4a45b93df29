import type { ValueSource } from "../profile/infer-feature-type.js";

/** Tabular data read from a file, column by column; null marks a missing value. */
export interface Table {
  readonly columns: readonly string[];
  /** values[c][r]: the value of column c in row r. */
  readonly values: readonly (readonly unknown[])[];
  readonly rows: number;
  readonly source: ValueSource;
  /** rowLines[r]: the 1-based line of the file where row r starts, for text formats. */
  readonly rowLines?: readonly number[];
}

/** A problem in a data file, with where it is (1-based line, and column when known). */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(message);
  }

  get where(): string {
    return this.line === undefined
      ? this.file
      : `${this.file}:${this.line}${this.col === undefined ? "" : `:${this.col}`}`;
  }
}
