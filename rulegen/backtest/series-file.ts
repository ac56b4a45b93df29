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

/**
 * The samples on a regular grid, as promtool's input series need them: the interval is
 * the most common gap, each sample goes to its nearest slot, and empty slots are gaps.
 */
export function toGrid(samples: readonly Sample[]): {
  intervalMs: number;
  startMs: number;
  values: (number | undefined)[];
} {
  const gaps = new Map<number, number>();
  for (let i = 1; i < samples.length; i++) {
    const gap = (samples[i]?.t ?? 0) - (samples[i - 1]?.t ?? 0);
    if (gap > 0) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  }
  let intervalMs = 1000;
  let best = -1;
  for (const [gap, count] of gaps)
    if (count > best) [intervalMs, best] = [roundInterval(gap), count];
  const startMs = samples[0]?.t ?? 0;
  const values: (number | undefined)[] = [];
  for (const s of samples) values[Math.round((s.t - startMs) / intervalMs)] = s.v;
  return {
    intervalMs,
    startMs,
    values: Array.from({ length: values.length }, (_, i) => values[i]),
  };
}

/** Scrapes jitter by milliseconds: the grid uses whole seconds (or ms below a second). */
function roundInterval(ms: number): number {
  return ms >= 1000 ? Math.round(ms / 1000) * 1000 : ms;
}
