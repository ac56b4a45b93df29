import { parseTimestamp } from "./timestamp.js";
import type { LabelledWindow } from "./report.js";

export type WindowsResult =
  | { readonly ok: true; readonly windows: readonly LabelledWindow[] }
  | { readonly ok: false; readonly message: string };

/**
 * `windows.json`: an array (or `{ "windows": [...] }`) of `{ "start", "end", "monitor"? }`
 * with RFC 3339 or Unix-second times: the incidents a backtest is scored against.
 */
export function parseLabelledWindows(text: string): WindowsResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${(error as Error).message}` };
  }
  const list =
    typeof data === "object" && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)["windows"]
      : data;
  if (!Array.isArray(list))
    return { ok: false, message: "expected an array of { start, end, monitor? }" };
  const windows: LabelledWindow[] = [];
  for (const [i, entry] of list.entries()) {
    const w = entry as Record<string, unknown>;
    const startMs = parseTime(w["start"]);
    const endMs = parseTime(w["end"]);
    if (startMs === undefined || endMs === undefined || endMs < startMs)
      return { ok: false, message: `windows[${i}]: needs start <= end (RFC 3339 or Unix seconds)` };
    const monitor = typeof w["monitor"] === "string" ? w["monitor"] : undefined;
    windows.push(monitor === undefined ? { startMs, endMs } : { startMs, endMs, monitor });
  }
  return { ok: true, windows };
}

/** RFC 3339 text or Unix seconds; `now` and `now-7d` style offsets when `nowMs` is given. */
export function parseTime(value: unknown, nowMs?: number): number | undefined {
  if (typeof value === "number") return value * 1000;
  if (typeof value !== "string") return undefined;
  const relative = /^now(?:-(\d+)([smhdw]))?$/.exec(value);
  if (relative && nowMs !== undefined) {
    const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[relative[2] ?? "s"] ?? 0;
    return nowMs - Number(relative[1] ?? 0) * unit;
  }
  return parseTimestamp(value);
}
