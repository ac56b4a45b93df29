import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import { parseTimestamp } from "./timestamp.js";

export interface Sample {
  readonly t: number;
  readonly v: number;
}

export type SeriesFileResult =
  | { readonly ok: true; readonly samples: readonly Sample[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * A series file: CSV (`timestamp,value` per line, optional header) or JSON (an array of
 * `[timestamp, value]` pairs or `{timestamp, value}` objects). Timestamps are RFC 3339
 * text or Unix seconds (fractions allowed); values are numbers, NaN or ±Inf.
 */
export function parseSeriesFile(file: string, text: string): SeriesFileResult {
  const trimmed = text.trimStart();
  return trimmed.startsWith("[") || trimmed.startsWith("{")
    ? parseJsonSeries(file, text)
    : parseCsvSeries(file, text);
}

function parseCsvSeries(file: string, text: string): SeriesFileResult {
  const samples: Sample[] = [];
  const diagnostics: Diagnostic[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const [time = "", value = "", ...extra] = line.split(",").map((c) => c.trim());
    if (index === 0 && Number.isNaN(Number(value)) && !/^[+-]?(nan|inf)/i.test(value)) return; // header
    const sample = toSample(time, value);
    if (typeof sample === "string" || extra.length > 0) {
      diagnostics.push(
        problem(
          file,
          index + 1,
          typeof sample === "string" ? sample : "expected two columns: timestamp,value",
        ),
      );
    } else samples.push(sample);
  });
  return finish(file, samples, diagnostics);
}

function parseJsonSeries(file: string, text: string): SeriesFileResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      diagnostics: [problem(file, 1, `not valid JSON: ${(error as Error).message}`)],
    };
  }
  if (!Array.isArray(data))
    return {
      ok: false,
      diagnostics: [
        problem(file, 1, "expected an array of [timestamp, value] or {timestamp, value}"),
      ],
    };
  const samples: Sample[] = [];
  const diagnostics: Diagnostic[] = [];
  data.forEach((entry: unknown, i) => {
    const pair = Array.isArray(entry)
      ? entry
      : typeof entry === "object" && entry !== null
        ? [
            (entry as Record<string, unknown>)["timestamp"],
            (entry as Record<string, unknown>)["value"],
          ]
        : [];
    const sample = toSample(String(pair[0] ?? ""), String(pair[1] ?? ""));
    if (typeof sample === "string")
      diagnostics.push({
        ...problem(file, 1, `[${i}]: ${sample}`),
        position: undefined,
        path: [i],
      });
    else samples.push(sample);
  });
  return finish(file, samples, diagnostics);
}

function finish(file: string, samples: Sample[], diagnostics: Diagnostic[]): SeriesFileResult {
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  if (samples.length < 2)
    return { ok: false, diagnostics: [problem(file, 1, "need at least two samples")] };
  samples.sort((a, b) => a.t - b.t);
  return { ok: true, samples };
}

function toSample(time: string, value: string): Sample | string {
  const t = parseTimestamp(time);
  if (t === undefined)
    return `timestamp ${JSON.stringify(time)} is neither RFC 3339 nor Unix seconds`;
  const v = parseValue(value);
  if (v === undefined) return `value ${JSON.stringify(value)} is not a number`;
  return { t: Math.round(t), v };
}

function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "inf" || lower === "+inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (text === "" || Number.isNaN(Number(text))) return undefined;
  return Number(text);
}

function problem(file: string, line: number, message: string): Diagnostic {
  return { code: "invalid-value", severity: "error", message, file, position: { line, col: 1 } };
}

/** promtool's input notation holds one value per slot: more slots than this are too slow. */
export const MAX_GRID_SLOTS = 2_000_000;

export interface SeriesGrid {
  readonly intervalMs: number;
  readonly startMs: number;
  /** One entry per slot; undefined is a gap. */
  readonly values: readonly (number | undefined)[];
  /** Samples not at their own time: moved to a slot up to `maxShiftMs` away. */
  readonly moved: number;
  readonly maxShiftMs: number;
  /** Samples that shared a slot with a later one and were dropped. */
  readonly dropped: number;
}

/**
 * The samples on a regular grid, as promtool's input series need them. The grid's step
 * is the greatest common divisor of the samples' offsets, so every sample keeps its own
 * timestamp and gaps stay gaps; only when that grid would exceed MAX_GRID_SLOTS is the
 * step coarsened (to a whole number of ms that fits), and then what moved or was dropped
 * is counted, never hidden.
 */
export function toGrid(samples: readonly Sample[]): SeriesGrid {
  const startMs = samples[0]?.t ?? 0;
  const offsets = samples.map((s) => s.t - startMs);
  const span = offsets[offsets.length - 1] ?? 0;
  let step = offsets.reduce((g, o) => gcd(g, o), 0) || 1000;
  if (span / step + 1 > MAX_GRID_SLOTS) step = Math.ceil(span / (MAX_GRID_SLOTS - 1));
  const slots = Math.floor(span / step) + 1;
  const values: (number | undefined)[] = new Array<number | undefined>(slots).fill(undefined);
  let moved = 0;
  let maxShiftMs = 0;
  let dropped = 0;
  samples.forEach((s, i) => {
    const offset = offsets[i] ?? 0;
    const slot = Math.round(offset / step);
    const shift = Math.abs(slot * step - offset);
    if (shift > 0) {
      moved++;
      maxShiftMs = Math.max(maxShiftMs, shift);
    }
    if (values[slot] !== undefined) dropped++;
    values[slot] = s.v;
  });
  return { intervalMs: step, startMs, values, moved, maxShiftMs, dropped };
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y > 0) [x, y] = [y, x % y];
  return x;
}
