import { ownValue } from "../../../core/own-value.js";

/**
 * Why a tool printed no value. nvidia-smi writes `[N/A]`, `N/A`, `[Not Supported]`,
 * `[Requested functionality has been deprecated]`, `[Function Not Found]`, `[GPU is
 * lost]`, ...; rocm-smi writes `N/A` or `N/A (Secondary die)`. These are absent values,
 * never zeros: exporting 0 for "not supported" is how other exporters end up alerting on
 * healthy GPUs.
 */
export type AbsentReason =
  | "not_available"
  | "not_supported"
  | "deprecated"
  | "function_not_found"
  | "insufficient_permissions"
  | "gpu_lost"
  | "unknown_error"
  | "other_marker";

const MARKERS: Readonly<Record<string, AbsentReason>> = {
  "n/a": "not_available",
  "not supported": "not_supported",
  "not available": "not_available",
  "requested functionality has been deprecated": "deprecated",
  "function not found": "function_not_found",
  "insufficient permissions": "insufficient_permissions",
  "gpu is lost": "gpu_lost",
  "unknown error": "unknown_error",
  "gpu requires reset": "gpu_lost",
};

/** The absent reason of a printed value, or undefined when it carries a value. */
export function absentReason(text: string): AbsentReason | undefined {
  const value = text.trim();
  if (value === "") return "not_available";
  const bracketed = /^\[(.*)\]$/.exec(value);
  const inner = (bracketed?.[1] ?? value).trim().toLowerCase();
  // Own keys only: tool output like "[constructor]" must not find Object.prototype's.
  const known = ownValue(MARKERS, inner);
  if (known) return known;
  // rocm-smi qualifies some: "N/A (Secondary die)".
  if (/^n\/a\b/.test(inner)) return "not_available";
  return bracketed ? "other_marker" : undefined;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A strict decimal: "12", "433.78", "-8"; anything else (including "", "0x1F") is undefined. */
export function parseDecimal(text: string): number | undefined {
  const value = text.trim();
  if (!NUMBER.test(value)) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** "0x00000000000001FF" → 511. Bitmasks above 2^53 lose their low bits, so they are refused. */
export function parseHex(text: string): number | undefined {
  const match = /^0x([0-9a-fA-F]+)$/.exec(text.trim());
  if (!match?.[1]) return undefined;
  const big = BigInt(`0x${match[1]}`);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : undefined;
}

const TRUE_WORDS = new Set(["yes", "enabled", "active", "true", "on", "valid", "supported"]);
const FALSE_WORDS = new Set(["no", "disabled", "not active", "false", "off", "invalid"]);

/** Yes/No, Enabled/Disabled, Active/Not Active, True/False, valid/invalid → 1/0. */
export function parseSwitch(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (TRUE_WORDS.has(value)) return 1;
  if (FALSE_WORDS.has(value)) return 0;
  return undefined;
}

/** "P0" → 0 ... "P15" → 15. */
export function parsePerformanceState(text: string): number | undefined {
  const match = /^P(\d{1,2})$/.exec(text.trim());
  const state = match?.[1] === undefined ? undefined : Number(match[1]);
  return state !== undefined && state <= 15 ? state : undefined;
}

/** A state word as a label value: "Drain P2P" → "drain_p2p", "Exclusive_Process" → "exclusive_process". */
export function stateLabel(text: string): string | undefined {
  const value = text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return value === "" ? undefined : value;
}

/**
 * nvidia-smi's `timestamp`, "2026/07/14 09:00:44.579", in the machine's local time (it
 * prints no zone; the exporter runs on the same machine) → seconds since the epoch.
 */
export function parseLocalTimestamp(text: string): number | undefined {
  const match = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(
    text.trim(),
  );
  if (!match) return undefined;
  const [year = 0, month = 1, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const millis = Number((match[7] ?? "0").padEnd(3, "0"));
  const date = new Date(year, month - 1, day, hour, minute, second, millis);
  return Number.isNaN(date.getTime()) ? undefined : date.getTime() / 1000;
}
