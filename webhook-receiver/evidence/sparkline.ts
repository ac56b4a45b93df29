const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;
/** A stretch holding a NaN. */
export const NAN_MARK = "×";
/** A stretch holding +Inf (and no NaN). */
export const INFINITY_MARK = "∞";
/**
 * A stretch holding -Inf (and no NaN or +Inf): off the bottom of the scale. One character,
 * as every value gets one, and not "∞": a log-likelihood that fell to -Inf must not read
 * as one that rose to +Inf.
 */
export const NEGATIVE_INFINITY_MARK = "↓";

type Mark = typeof NAN_MARK | typeof INFINITY_MARK | typeof NEGATIVE_INFINITY_MARK;

/**
 * A Unicode sparkline of `values` in at most `width` characters: each character is the
 * mean of its share of the values, scaled between the shown minimum and maximum (a flat
 * series is a flat line). A share holding a non-finite value is marked (× for NaN, ∞ for
 * +Inf, ↓ for -Inf, in that order of precedence), never averaged away: a loss that turned
 * NaN must not read as a loss that fell.
 */
export function sparkline(values: readonly number[], width = 20): string {
  if (values.length === 0) return "";
  const buckets = Math.min(width, values.length);
  const cells: (number | Mark)[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.floor(((b + 1) * values.length) / buckets);
    const slice = values.slice(from, Math.max(to, from + 1));
    if (slice.some(Number.isNaN)) cells.push(NAN_MARK);
    else if (slice.includes(Infinity)) cells.push(INFINITY_MARK);
    else if (slice.includes(-Infinity)) cells.push(NEGATIVE_INFINITY_MARK);
    else cells.push(slice.reduce((a, v) => a + v, 0) / slice.length);
  }
  const finite = cells.filter((c): c is number => typeof c === "number");
  const min = finite.length > 0 ? Math.min(...finite) : 0;
  const max = finite.length > 0 ? Math.max(...finite) : 0;
  return cells
    .map((c) => {
      if (typeof c !== "number") return c;
      if (max === min) return BARS[0];
      const level = Math.round(((c - min) / (max - min)) * (BARS.length - 1));
      return BARS[Math.max(0, Math.min(BARS.length - 1, level))];
    })
    .join("");
}
