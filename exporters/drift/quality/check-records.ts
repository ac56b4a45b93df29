import { formatFieldPath } from "../../../core/diagnostics/format.js";

/** Why records were refused: the `reason` label of aiwatch_exporter_rejected_records_total. */
export type RejectReason =
  | "invalid_batch"
  | "missing_model"
  | "unknown_model"
  | "too_many_records"
  | "invalid_record"
  | "invalid_value"
  | "invalid_line"
  | "line_too_long";

export interface RecordProblem {
  readonly reason: RejectReason;
  /** Field path, e.g. ["records", 3, "MedInc"]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export function describeProblem(problem: RecordProblem): string {
  const where = formatFieldPath(problem.path);
  return where ? `${where}: ${problem.message}` : problem.message;
}

const MAX_PROBLEMS = 100;

/**
 * Checks that each record is an object of scalars (number, string, boolean or null).
 * Anything else is a malformed record, refused as a whole batch so that a window never
 * holds half a batch. Values of the wrong type for their feature (a string where a
 * number belongs) are not malformed: they are data-quality findings, counted as
 * type_mismatch when the record is applied.
 */
export function checkRecords(
  records: readonly unknown[],
  path: readonly (string | number)[],
): RecordProblem[] {
  const problems: RecordProblem[] = [];
  for (let index = 0; index < records.length && problems.length < MAX_PROBLEMS; index++) {
    const problem = checkRecord(records[index], [...path, index]);
    if (problem) problems.push(problem);
  }
  return problems;
}

export function checkRecord(
  record: unknown,
  path: readonly (string | number)[],
): RecordProblem | undefined {
  if (record === null || typeof record !== "object" || Array.isArray(record))
    return {
      reason: "invalid_record",
      path,
      message: `expected an object of feature values, got ${describeType(record)}`,
    };
  // for...in, not Object.entries: this runs for every record and must not allocate.
  for (const field in record) {
    const value: unknown = (record as Record<string, unknown>)[field];
    if (value !== null && typeof value === "object")
      return {
        reason: "invalid_value",
        path: [...path, field],
        message: `expected a number, string, boolean or null, got ${describeType(value)}`,
      };
    // JSON has no Infinity, but a number too large for a double (1e400) parses as one,
    // and a single one would make the window's sums, and every score, infinite.
    if (typeof value === "number" && !Number.isFinite(value))
      return {
        reason: "invalid_value",
        path: [...path, field],
        message: `expected a finite number, got ${describeType(value)}`,
      };
  }
  return undefined;
}

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number" && !Number.isFinite(value))
    return Number.isNaN(value) ? "NaN" : `${value} (a number beyond the range of a double)`;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value === "string" ? "a string" : `a ${typeof value}`} (${JSON.stringify(value)})`;
}
