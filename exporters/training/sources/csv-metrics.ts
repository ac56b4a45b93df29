import type { TrainingRecord } from "../model/training-record.js";
import { parseCsvLine, parsePythonNumber } from "./csv-line.js";

export interface CsvMetricsOptions {
  readonly runId: string;
  readonly jobName: string;
  readonly separator: string;
  /**
   * `lightning`: PyTorch Lightning's CSVLogger, with `step` and `epoch` columns and sparse
   * rows (a value only where it was logged). `keras`: Keras's CSVLogger, one row per epoch
   * with a 0-based `epoch` column and no step: the step and epoch reported are the number
   * of epochs completed (epoch + 1).
   */
  readonly dialect: "lightning" | "keras";
}

/**
 * A parsed row: its record, and a key that identifies the row whatever the header; or
 * why the row is not one (more cells than the header has columns, no number at all).
 */
export type CsvRow =
  | {
      readonly record: TrainingRecord | undefined;
      readonly key: string;
      /** Cells that hold something other than a number: refused, the row's others kept. */
      readonly problems?: readonly string[];
    }
  | { readonly invalid: string };

/**
 * Turns the lines of a metrics CSV into records. The first line is the header; Lightning
 * rewrites the whole file with a wider header when a new metric appears, so `reset()`
 * starts over at a header, and each row's `key` (its non-empty cells, by column name)
 * stays the same across such rewrites.
 */
export class CsvMetricsParser {
  private header: string[] | undefined;

  constructor(private readonly options: CsvMetricsOptions) {}

  reset(): void {
    this.header = undefined;
  }

  line(text: string): CsvRow | undefined {
    if (text.trim() === "") return undefined;
    const cells = parseCsvLine(text, this.options.separator);
    if (!this.header) {
      this.header = cells.map((c) => c.trim());
      return undefined;
    }
    // Empty cells past the header are harmless (a trailing separator); values are not.
    if (cells.slice(this.header.length).some((cell) => cell.trim() !== ""))
      return {
        invalid: `expected at most ${this.header.length} values (the header's columns), got ${cells.length}`,
      };
    const metrics = Object.create(null) as Record<string, number>;
    let step: number | undefined;
    const cellsByColumn: string[] = [];
    const problems: string[] = [];
    for (let i = 0; i < this.header.length; i++) {
      const column = this.header[i] ?? "";
      const raw = cells[i] ?? "";
      const value = parsePythonNumber(raw);
      if (value === undefined) {
        // Empty cells are Lightning's sparse rows; anything else is a value we cannot read.
        if (raw.trim() !== "")
          problems.push(`${column}: expected a number, got ${JSON.stringify(raw.trim())}`);
        continue;
      }
      cellsByColumn.push(`${column}=${raw.trim()}`);
      if (this.options.dialect === "keras" && column === "epoch") {
        step = value + 1;
        metrics["epoch"] = value + 1;
      } else if (this.options.dialect === "lightning" && column === "step") step = value;
      else metrics[column] = value;
    }
    if (cellsByColumn.length === 0)
      return cells.some((cell) => cell.trim() !== "")
        ? { invalid: "expected numbers, found none in the row" }
        : { record: undefined, key: text };
    const refused = problems.length > 0 ? { problems } : {};
    // Sorted: a rewrite may also reorder the columns.
    const key = cellsByColumn.sort().join("\u0000");
    return {
      key,
      ...refused,
      record: {
        runId: this.options.runId,
        jobName: this.options.jobName,
        step,
        metrics,
      },
    };
  }
}
