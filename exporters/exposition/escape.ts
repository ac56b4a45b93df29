/** Escaping of the Prometheus text format (and OpenMetrics, which adds nothing here). */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
    : value;
}

export function escapeHelp(text: string): string {
  return /[\\\n]/.test(text) ? text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") : text;
}

/**
 * `{a="1",b="2"}`, or "" for no labels. Label names are validated when a family is made.
 * Labels in `omitWhenEmpty` are left out when their value is "" (no label, to Prometheus).
 */
export function renderLabels(
  names: readonly string[],
  values: readonly string[],
  omitWhenEmpty?: ReadonlySet<string>,
): string {
  const parts: string[] = ["{"];
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? "";
    const value = values[i] ?? "";
    if (value === "" && omitWhenEmpty?.has(name)) continue;
    parts.push(parts.length > 1 ? "," : "", name, '="', escapeLabelValue(value), '"');
  }
  if (parts.length === 1) return "";
  parts.push("}");
  return parts.join("");
}

/**
 * Joins text that is kept and reused at every scrape (a series' `name{labels} ` prefix).
 * `+` and template literals make V8 cons-strings (ropes); a rope kept per series is
 * re-walked at every render, which made 100k-series renders 3-4x slower than a
 * hand-written builder (see bench/exporters/metrics-render.bench.ts). `Array#join`
 * returns a flat string.
 */
export function flatText(...parts: string[]): string {
  return parts.join("");
}

/** Sample values as both formats spell them: NaN, +Inf, -Inf, else the shortest decimal. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
