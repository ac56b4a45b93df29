import { parsePythonNumber } from "./csv-line.js";

/**
 * A number as trainers print it in their log lines: `3.2741`, `1.244238E+01`, `nan`,
 * `inf`, with a unit glued on (`178.89ms`, `35.2%`) or not. Milliseconds become seconds
 * and percentages ratios, so values land in base units. Undefined when it is not one.
 */
export function parseLoggedNumber(
  text: string,
): { readonly value: number; readonly unit: "" | "s" | "ratio" } | undefined {
  const match = /^(.*?)(ms|s|%)?$/i.exec(text.trim());
  const number = match?.[1] === undefined ? undefined : parsePythonNumber(match[1]);
  if (number === undefined) return undefined;
  switch (match?.[2]?.toLowerCase()) {
    case "ms":
      return { value: number / 1000, unit: "s" };
    case "s":
      return { value: number, unit: "s" };
    case "%":
      return { value: number / 100, unit: "ratio" };
    default:
      return { value: number, unit: "" };
  }
}

/** `lm loss`, `elapsed time per iteration (ms)`, `Train-Loss` → `lm_loss`, ... (units dropped). */
export function snakeCase(key: string): string {
  return key
    .replace(/\([^)]*\)/g, " ")
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}
