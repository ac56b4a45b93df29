import { formatDuration } from "../duration.js";
import type { LabelMatcher } from "./parse-promql.js";

/** Small builders for PromQL text, so generated expressions are spelled one way everywhere. */
export function selector(metric: string, matchers: readonly LabelMatcher[]): string {
  if (matchers.length === 0) return metric;
  return `${metric}{${matchers.map(formatMatcher).join(", ")}}`;
}

export function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${quote(m.value)}`;
}

export function quote(value: string): string {
  return JSON.stringify(value);
}

export function range(expr: string, ms: number): string {
  return `${expr}[${formatDuration(ms)}]`;
}

export function aggregateBy(operation: string, by: readonly string[], expr: string): string {
  return `${operation} by (${by.join(", ")}) (${expr})`;
}

/** `on(a, b)` for joins on the monitor's `by` labels, or `ignoring(monitor)` per series. */
export function matchOn(by: readonly string[] | undefined, ignored: string): string {
  return by === undefined ? `ignoring(${ignored})` : `on(${by.join(", ")})`;
}

export function duration(ms: number): string {
  return formatDuration(ms);
}

/** PromQL number literals: integers and decimals as JavaScript prints them, never exponents. */
export function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const text = String(value);
  return text.includes("e") ? value.toFixed(20).replace(/0+$/, "").replace(/\.$/, "") : text;
}
