import type { SeriesSelector } from "../../spec/context/spec-context.js";

/** One label matcher of a selector the receiver writes. */
export interface QueryMatcher {
  readonly name: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

/** A PromQL string literal (double-quoted; JSON's escapes are PromQL's). */
export function promqlString(value: string): string {
  return JSON.stringify(value);
}

/** `metric{a="1", b=~"x|y"}`, the metric name left out when there is none. */
export function selectorText(
  selector: SeriesSelector,
  extra: readonly QueryMatcher[] = [],
): string {
  const matchers = [...selector.matchers, ...extra].map(
    (m) => `${m.name}${m.op}${promqlString(m.value)}`,
  );
  const metric = selector.metric ?? "";
  if (matchers.length === 0) return metric === "" ? "{}" : metric;
  return `${metric}{${matchers.join(", ")}}`;
}

/** RE2 (Prometheus's regex engine) metacharacters escaped, so a value matches itself only. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A `=~` matcher for any of `values` (sorted, so the query text is deterministic). */
export function anyOf(name: string, values: Iterable<string>): QueryMatcher {
  const sorted = [...new Set(values)].sort();
  return sorted.length === 1
    ? { name, op: "=", value: sorted[0] ?? "" }
    : { name, op: "=~", value: sorted.map(escapeRegex).join("|") };
}

/** A range duration PromQL accepts, in whole seconds (at least 1s). */
export function rangeText(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}
