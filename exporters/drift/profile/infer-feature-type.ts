import type { FeatureType } from "./drift-profile.js";

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN_TEXT = /^(?:true|false)$/i;

/**
 * How a column's values are read. Text sources (CSV) carry every value as a string, so
 * "3.5" is a number there; typed sources (JSON, Parquet, live records) are taken at their
 * word: a string is a string, even if it looks like a number.
 */
export type ValueSource = "text" | "typed";

/**
 * A feature's type from its non-null values: boolean if all are booleans, numeric if
 * all are finite numbers, otherwise categorical. A column with no values is categorical.
 */
export function inferFeatureType(values: Iterable<unknown>, source: ValueSource): FeatureType {
  let allBoolean = true;
  let allNumeric = true;
  let seen = false;
  for (const value of values) {
    if (value === null) continue;
    seen = true;
    if (allBoolean && !isBoolean(value, source)) allBoolean = false;
    // A number that is not finite keeps the column numeric, so that it is reported as
    // a bad value of that column rather than silently making the column categorical.
    if (allNumeric && readNumber(value, source) === undefined && !isNonFiniteNumber(value, source))
      allNumeric = false;
    if (!allBoolean && !allNumeric) return "categorical";
  }
  if (!seen) return "categorical";
  return allBoolean ? "boolean" : allNumeric ? "numeric" : "categorical";
}

/** The finite number a value stands for, or undefined when it is not one. */
export function readNumber(value: unknown, source: ValueSource): number | undefined {
  const number = anyNumber(value, source);
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}

/**
 * True for a number that is not finite: NaN or ±Infinity in typed data, or text that
 * overflows a double ("1e400" reads as Infinity). No profile or window can hold one.
 */
export function isNonFiniteNumber(value: unknown, source: ValueSource): boolean {
  const number = anyNumber(value, source);
  return number !== undefined && !Number.isFinite(number);
}

function anyNumber(value: unknown, source: ValueSource): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (source === "text" && typeof value === "string") {
    const trimmed = value.trim();
    return NUMBER_TEXT.test(trimmed) ? Number(trimmed) : undefined;
  }
  return undefined;
}

export function readBoolean(value: unknown, source: ValueSource): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (source === "text" && typeof value === "string" && BOOLEAN_TEXT.test(value.trim()))
    return value.trim().toLowerCase() === "true";
  return undefined;
}

function isBoolean(value: unknown, source: ValueSource): boolean {
  return readBoolean(value, source) !== undefined;
}

/** A categorical value's label: strings as they are, numbers and booleans as JSON spells them. */
export function categoryOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return undefined;
}
