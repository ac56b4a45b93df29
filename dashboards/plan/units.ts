import {
  Celsius,
  CountsPerSecond,
  Hertz,
  BytesIEC,
  Joule,
  Milliseconds,
  Percent,
  PercentUnit,
  Seconds,
  Short,
  Watt,
} from "@grafana/grafana-foundation-sdk/units";
import type { Monitor } from "../../spec/model/monitor.js";
import { UNIT_INFO } from "../../spec/model/unit.js";

/**
 * Grafana's unit for a metric, from the base-unit suffix Prometheus's naming conventions
 * give it (https://prometheus.io/docs/practices/naming/#base-units): `_seconds` is
 * seconds, `_bytes` IEC bytes, `_ratio` a 0-1 fraction shown as percent. A counter's
 * `_total` and a histogram's `_bucket`, `_sum`, `_count` are not units.
 */
const SUFFIX_UNITS: readonly (readonly [string, string])[] = [
  ["seconds", Seconds],
  ["milliseconds", Milliseconds],
  ["bytes", BytesIEC],
  ["ratio", PercentUnit],
  ["percent", Percent],
  ["celsius", Celsius],
  ["watts", Watt],
  ["joules", Joule],
  ["hertz", Hertz],
];

export function unitOfMetric(name: string): string | undefined {
  const base = name.replace(/_(total|bucket|sum|count)$/, "");
  return SUFFIX_UNITS.find(([suffix]) => base.endsWith(`_${suffix}`))?.[1];
}

/** A plain number (counts, scores, losses): Grafana's `short`, with k/M/B for large ones. */
export const COUNT = Short;
/** Events per second, what `rate()` of a count gives. */
export const PER_SECOND = CountsPerSecond;

/**
 * The unit a monitor's panel draws its signal in: the spec's `unit` when the monitor
 * declares one, else the unit of the metrics its signal reads when they all carry the
 * same suffix (`rate(x_seconds_sum[5m]) / rate(x_seconds_count[5m])` is seconds), else a
 * plain number.
 */
export function signalUnit(monitor: Monitor): string {
  if (monitor.unit !== undefined) return UNIT_INFO[monitor.unit].grafana;
  const names = metricNames(monitor.signal.expr);
  const units = new Set(names.map(unitOfMetric));
  const [only] = units;
  return units.size === 1 && only !== undefined ? only : COUNT;
}

/** Metric names a PromQL expression reads: identifiers not followed by `(` and not keywords. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const withoutLabels = withoutStrings.replace(/\{[^}]*\}/g, "{}");
  const withoutGrouping = withoutLabels.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g,
    "",
  );
  return [...withoutGrouping.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)]
    .map((m) => m[1] ?? "")
    .filter((name) => !KEYWORDS.has(name) && !/^\d/.test(name) && !/^[a-z_]+:/.test(name));
}

const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "Inf", "NaN"]);
