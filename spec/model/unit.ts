/**
 * The unit a monitor's signal is measured in (`unit:` in the spec), so alerts, messages
 * and dashboards print "0.95 s is above 0.25 s" instead of "0.9458 is above 0.25". A small
 * set, each one of Grafana's units (the id in `grafana`, see @grafana/grafana-foundation-sdk
 * `units`), named as Prometheus's base-unit conventions name them (`_seconds`, `_bytes`,
 * `_ratio`, `_celsius`, `_watts`, `_joules`, `_hertz`). Counts need no unit.
 */
export const UNITS = [
  "seconds",
  "milliseconds",
  "bytes",
  "ratio",
  "percent",
  "celsius",
  "watts",
  "joules",
  "hertz",
] as const;

export type Unit = (typeof UNITS)[number];

export interface UnitInfo {
  /** Grafana's unit id, for panels (`fieldConfig.defaults.unit`). */
  readonly grafana: string;
  /** What follows a number in text: "0.25 s", "85 °C", "40%". */
  readonly symbol: string;
  /** How the number scales: SI prefixes (kJ, GHz), binary ones (GiB), or none. */
  readonly scale: "none" | "si" | "binary";
}

export const UNIT_INFO: Readonly<Record<Unit, UnitInfo>> = {
  seconds: { grafana: "s", symbol: "s", scale: "none" },
  milliseconds: { grafana: "ms", symbol: "ms", scale: "none" },
  bytes: { grafana: "bytes", symbol: "B", scale: "binary" },
  ratio: { grafana: "percentunit", symbol: "%", scale: "none" },
  percent: { grafana: "percent", symbol: "%", scale: "none" },
  celsius: { grafana: "celsius", symbol: "°C", scale: "none" },
  watts: { grafana: "watt", symbol: "W", scale: "none" },
  joules: { grafana: "joule", symbol: "J", scale: "si" },
  hertz: { grafana: "hertz", symbol: "Hz", scale: "si" },
};

/** Spellings users bring from Grafana or habit, for the error that names the right one. */
const ALIASES: Readonly<Record<string, Unit>> = {
  s: "seconds",
  sec: "seconds",
  second: "seconds",
  ms: "milliseconds",
  millisecond: "milliseconds",
  b: "bytes",
  byte: "bytes",
  decbytes: "bytes",
  percentunit: "ratio",
  "%": "percent",
  c: "celsius",
  "°c": "celsius",
  degrees: "celsius",
  w: "watts",
  watt: "watts",
  j: "joules",
  joule: "joules",
  hz: "hertz",
};

/** The unit a mistaken spelling most likely means, if the error should suggest one. */
export function unitAlias(input: string): Unit | undefined {
  return ALIASES[input.trim().toLowerCase()];
}
