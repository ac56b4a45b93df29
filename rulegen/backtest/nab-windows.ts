import { parseTimestamp } from "./timestamp.js";

export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

export type NabWindowsResult =
  | { readonly ok: true; readonly windows: ReadonlyMap<string, readonly TimeWindow[]> }
  | { readonly ok: false; readonly message: string };

/**
 * NAB's `labels/combined_windows.json` form: `{"<category>/<file>.csv": [["start", "end"],
 * ...]}`, times in NAB's zoneless `YYYY-MM-DD HH:MM:SS.ffffff` (read as UTC), RFC 3339 or
 * Unix seconds. Keys are series names relative to the `--series` folder; a series listed
 * with `[]` has no anomaly, so every alert on it is false.
 */
export function parseNabWindows(text: string): NabWindowsResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return { ok: false, message: 'expected an object {"<series>.csv": [["start", "end"], ...]}' };
  const windows = new Map<string, TimeWindow[]>();
  for (const [name, list] of Object.entries(data)) {
    if (!Array.isArray(list))
      return { ok: false, message: `${JSON.stringify(name)}: expected a list of [start, end]` };
    const parsed: TimeWindow[] = [];
    for (const [i, pair] of list.entries()) {
      const [start, end] = Array.isArray(pair) ? (pair as unknown[]) : [];
      const startMs =
        typeof start === "string" || typeof start === "number"
          ? parseTimestamp(String(start))
          : undefined;
      const endMs =
        typeof end === "string" || typeof end === "number"
          ? parseTimestamp(String(end))
          : undefined;
      if (startMs === undefined || endMs === undefined || endMs < startMs)
        return {
          ok: false,
          message: `${JSON.stringify(name)}[${i}]: expected [start, end] with start <= end (RFC 3339, "YYYY-MM-DD HH:MM:SS" UTC or Unix seconds)`,
        };
      parsed.push({ startMs, endMs });
    }
    parsed.sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < parsed.length; i++)
      if ((parsed[i]?.startMs ?? 0) < (parsed[i - 1]?.endMs ?? 0))
        return { ok: false, message: `${JSON.stringify(name)}: windows overlap` };
    windows.set(name, parsed);
  }
  return { ok: true, windows };
}
