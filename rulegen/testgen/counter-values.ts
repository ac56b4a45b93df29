import { SeriesValues } from "./series-values.js";

/**
 * A counter that grows by a different amount per sample in each segment, written in
 * promtool's expanding notation. `perSample` may be 0 (a flat stretch).
 */
export function counterValues(
  intervalMs: number,
  segments: readonly { readonly untilMs: number; readonly perSample: number }[],
): string {
  const values = new SeriesValues(intervalMs);
  let next = 0;
  for (const segment of segments) {
    const count = Math.max(0, Math.ceil((segment.untilMs - values.atMs) / intervalMs));
    if (count === 0) continue;
    values.rampUntil(next, segment.perSample, segment.untilMs);
    next = round(next + segment.perSample * count);
  }
  return values.toString();
}

/** Sums of decimal increments drift (0.1 + 0.2); twelve digits are plenty for a test. */
function round(value: number): number {
  return Number(value.toPrecision(12));
}
