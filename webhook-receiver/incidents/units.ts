import type { SignalValueKind } from "../../spec/context/spec-context.js";
import type { Unit } from "../../spec/model/unit.js";

/**
 * Base units by metric-name suffix, as Prometheus's naming conventions write them
 * (https://prometheus.io/docs/practices/naming/#base-units) and aiwatch's metrics follow.
 */
const UNIT_SUFFIX =
  /_(seconds|bytes|ratio|celsius|watts|joules|hertz|volts|amperes|meters|grams|percent)(?:_total|_bucket|_sum|_count|_created)?(?![a-zA-Z0-9_])/g;

/**
 * What the y axis of a chart measures: for a level, the unit its monitor declares (spec
 * `unit`: a `_ms` histogram declared `milliseconds` reads "ms"), else the unit its metric
 * names carry (the last one in the query, which is the one the outer function returns in
 * `histogram_quantile` and ratios of the same unit); for counters read as increments,
 * events per step.
 */
export function unitOf(
  query: string,
  kind: SignalValueKind,
  stepMs: number,
  declared?: Unit,
): string {
  if (kind === "counter") return `events per ${stepText(stepMs)}`;
  if (kind === "event_code") return "code changes";
  if (declared !== undefined) return declared;
  const units = [...query.matchAll(UNIT_SUFFIX)].map((m) => m[1] ?? "");
  // A quotient of two series in the same unit (used bytes / total bytes) has none.
  if (units.length >= 2 && new Set(units).size === 1 && /\s\/\s/.test(query)) return "";
  return units[units.length - 1] ?? "";
}

function stepText(stepMs: number): string {
  const s = Math.round(stepMs / 1000);
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
