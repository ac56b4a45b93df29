const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/**
 * A Unicode sparkline of `values` in at most `width` characters: each character is the
 * mean of its share of the values, scaled between the shown minimum and maximum (a flat
 * series is a flat line). A stretch without finite values is a space.
 */
export function sparkline(values: readonly number[], width = 20): string {
  if (values.length === 0) return "";
  const buckets = Math.min(width, values.length);
  const means: (number | undefined)[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.floor(((b + 1) * values.length) / buckets);
    const slice = values.slice(from, Math.max(to, from + 1)).filter(Number.isFinite);
    means.push(slice.length > 0 ? slice.reduce((a, v) => a + v, 0) / slice.length : undefined);
  }
  const finite = means.filter((m): m is number => m !== undefined);
  if (finite.length === 0) return " ".repeat(buckets);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return means
    .map((m) => {
      if (m === undefined) return " ";
      if (max === min) return BARS[0];
      const level = Math.round(((m - min) / (max - min)) * (BARS.length - 1));
      return BARS[Math.max(0, Math.min(BARS.length - 1, level))];
    })
    .join("");
}
