/** Escaping of the Prometheus text format (and OpenMetrics, which adds nothing here). */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
    : value;
}

export function escapeHelp(text: string): string {
  return /[\\\n]/.test(text) ? text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") : text;
}

/** `{a="1",b="2"}`, or "" for no labels. Label names are validated when a family is made. */
export function renderLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  let out = "{";
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ",";
    out += `${names[i] ?? ""}="${escapeLabelValue(values[i] ?? "")}"`;
  }
  return out + "}";
}

/** Sample values as both formats spell them: NaN, +Inf, -Inf, else the shortest decimal. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
