import { closestMatch } from "../config/closest-match.js";
import { describeValue } from "../config/schema-diagnostics.js";

/**
 * Collects the problems of one ingested record, each with the field it is about, so a
 * client learns every mistake in a record at once. Checks are hand-written rather than
 * a schema library's: ingest validates hundreds of thousands of records a second.
 */
export class FieldChecks {
  readonly errors: { field: string; message: string }[] = [];

  fail(field: string, message: string): undefined {
    this.errors.push({ field, message });
    return undefined;
  }

  /** The record itself must be a JSON object whose keys are all known. */
  object(value: unknown, knownKeys: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return this.fail("", `expected an object, got ${describeValue(value)}`);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (knownKeys.includes(key)) continue;
      const suggestion = closestMatch(key, knownKeys);
      this.fail(
        key,
        `unknown field${suggestion ? ` (did you mean "${suggestion}"?)` : ` (expected: ${knownKeys.join(", ")})`}`,
      );
    }
    return record;
  }

  /** A non-empty string of at most `maxLength` characters (a label value, an id). */
  string(field: string, value: unknown, maxLength: number): string | undefined {
    if (typeof value !== "string" || value.length === 0)
      return this.fail(field, `expected a non-empty string, got ${describeValue(value)}`);
    if (value.length > maxLength)
      return this.fail(field, `expected at most ${maxLength} characters, got ${value.length}`);
    return value;
  }

  /** A non-negative integer (a step, a count). */
  count(field: string, value: unknown): number | undefined {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      return this.fail(field, `expected a non-negative integer, got ${describeValue(value)}`);
    return value;
  }

  /**
   * A time in seconds since the epoch, as a number or an RFC 3339 string. Values that
   * only make sense as milliseconds are refused with that hint rather than misread as a
   * date 50,000 years ahead.
   */
  timestampSeconds(field: string, value: unknown): number | undefined {
    if (typeof value === "string") {
      const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
      if (Number.isNaN(ms))
        return this.fail(
          field,
          `expected seconds since the epoch or an RFC 3339 time, got ${describeValue(value)}`,
        );
      return ms / 1000;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
      return this.fail(field, `expected seconds since the epoch, got ${describeValue(value)}`);
    if (value > 1e11)
      return this.fail(
        field,
        `expected seconds since the epoch, got ${value} (milliseconds? divide by 1000)`,
      );
    return value;
  }

  oneOf<const T extends string>(
    field: string,
    value: unknown,
    allowed: readonly T[],
  ): T | undefined {
    if (typeof value === "string" && (allowed as readonly string[]).includes(value))
      return value as T;
    return this.fail(
      field,
      `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describeValue(value)}`,
    );
  }
}

/**
 * JSON has no NaN or Infinity (and JavaScript's JSON.stringify writes them as null), so
 * clients send non-finite values as these strings. Python's `str(float("nan"))` spellings
 * are accepted too.
 */
const NON_FINITE: ReadonlyMap<string, number> = new Map([
  ["NaN", NaN],
  ["nan", NaN],
  ["Infinity", Infinity],
  ["+Infinity", Infinity],
  ["-Infinity", -Infinity],
  ["Inf", Infinity],
  ["+Inf", Infinity],
  ["-Inf", -Infinity],
  ["inf", Infinity],
  ["-inf", -Infinity],
]);

/** A metric value: a JSON number, or one of the non-finite spellings above. */
export function metricValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") return NON_FINITE.get(value);
  return undefined;
}

export const METRIC_VALUE_EXPECTED = 'expected a number or "NaN", "Infinity", "-Infinity"';
