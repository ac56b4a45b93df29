import { UNITS } from "../../spec/model/unit.js";
import type { Unit } from "../../spec/model/unit.js";
import { prefixScale, quantityScale } from "../evidence/quantity.js";
import type { QuantityScale } from "../evidence/quantity.js";

/**
 * Axis scales for the evidence charts: round value ticks (1, 2, 2.5, 5 × 10^k) that cover
 * the data, and time ticks on round durations counted from the onset, so "−2m" and "+30s"
 * read at a glance.
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  let lo = min;
  let hi = max;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (ticks.length > 50) break;
  }
  if ((ticks[ticks.length - 1] ?? hi) < hi)
    ticks.push(Number((first + ticks.length * step).toPrecision(12)));
  return ticks;
}

/** A y-axis tick: where it is and what it reads. */
export interface AxisTick {
  readonly value: number;
  readonly label: string;
}

/**
 * Metric-name units (Prometheus's base units, see units.ts) the spec has no `unit` for:
 * written with SI prefixes, as Grafana writes them.
 */
const OTHER_SI_UNITS: Readonly<Record<string, string>> = {
  volts: "V",
  amperes: "A",
  meters: "m",
  grams: "g",
};

function isUnit(unit: string): unit is Unit {
  return (UNITS as readonly string[]).includes(unit);
}

/**
 * The scale of an axis reaching `extent` (its largest |tick|), the one messages write the
 * unit in (quantity.ts): bytes in binary prefixes (`1 GiB`, `80 GiB`, as Grafana's
 * `bytes`), durations (seconds, milliseconds) as µs, ms, s, h or d, ratios in percent. What has
 * no unit (a count, events per step) takes a bare SI prefix: `15k`.
 */
function axisScale(extent: number, unit: string): QuantityScale {
  if (isUnit(unit)) return quantityScale(extent, unit);
  const symbol = OTHER_SI_UNITS[unit];
  if (symbol !== undefined) return prefixScale(extent, "si", symbol);
  const bare = prefixScale(extent, "si", "");
  return { divisor: bare.divisor, suffix: bare.suffix.trim() };
}

/**
 * Round ticks covering `min`..`max`, labelled in the unit. One scale for the whole axis,
 * the one its largest tick reads in, and ticks round in it (0, 20, 40 GiB; 0, 1, 2 h),
 * not in bytes or seconds, which would read 18.6 GiB or 2.22 h. Each label has the
 * decimals the step needs, so neighbours never read the same (99.85%, 99.9%).
 */
export function valueAxis(min: number, max: number, count: number, unit: string): AxisTick[] {
  const rough = niceTicks(min, max, count);
  const scale = axisScale(Math.max(...rough.map(Math.abs)), unit);
  const scaled = niceTicks(min / scale.divisor, max / scale.divisor, count);
  const step = (scaled[1] ?? 1) - (scaled[0] ?? 0);
  const decimals = decimalsOf(step);
  // A count's zero is "0", not "0k"; a quantity's keeps its unit ("0 GiB").
  const bare = !isUnit(unit) && OTHER_SI_UNITS[unit] === undefined;
  return scaled.map((tick) => ({
    value: Number((tick * scale.divisor).toPrecision(12)),
    label: tick === 0 && bare ? "0" : `${tickNumber(tick, decimals, step)}${scale.suffix}`,
  }));
}

/** Decimals that write a round step exactly: 0.025 needs 3, 2000 none. */
function decimalsOf(step: number): number {
  for (let d = 0; d < 12; d++) {
    const shifted = step * 10 ** d;
    const whole = Math.round(shifted);
    // Relative, and never 0: a step of 2e-10 is no whole number at 0 decimals.
    if (whole !== 0 && Math.abs(shifted - whole) < 1e-9 * Math.abs(shifted)) return d;
  }
  return 12;
}

function tickNumber(value: number, decimals: number, step: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  // Units without prefixes (W, °C, %, days) can reach a million; a gauge without a unit
  // can sit at 1e-6. An exponent then, with the digits that tell ticks a step apart
  // (1.0002e-6, 1.0004e-6), not 3 that would write them all alike.
  if (abs >= 1e6 || abs < 1e-4) {
    // From the value's first digit down to the step's last one (2.5e-10 ends at 1e-11).
    const size = Math.abs(step) || abs;
    const stepExp = Math.floor(Math.log10(size));
    const lastDigit = stepExp - decimalsOf(size / 10 ** stepExp);
    const digits = Math.floor(Math.log10(abs)) - lastDigit + 1;
    return value.toExponential(Math.min(Math.max(digits, 1), 15) - 1).replace(/\.?0+e/, "e");
  }
  return String(Number(value.toFixed(decimals)));
}

const TIME_STEPS_MS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
].map((s) => s * 1000);

/** Ticks at whole multiples of a round step from `origin`, labelled relative to it. */
export function timeTicks(
  from: number,
  to: number,
  origin: number,
  count: number,
): { t: number; label: string }[] {
  if (!(to > from)) return [{ t: from, label: relativeLabel(from - origin) }];
  const step =
    TIME_STEPS_MS.find((s) => (to - from) / s <= count) ??
    TIME_STEPS_MS[TIME_STEPS_MS.length - 1] ??
    86_400_000;
  const ticks: { t: number; label: string }[] = [];
  for (let k = Math.ceil((from - origin) / step); origin + k * step <= to; k++) {
    const t = origin + k * step;
    ticks.push({ t, label: relativeLabel(t - origin) });
  }
  return ticks;
}

export function relativeLabel(ms: number): string {
  if (ms === 0) return "onset";
  const sign = ms < 0 ? "−" : "+";
  const s = Math.abs(ms) / 1000;
  if (s % 3600 === 0) return `${sign}${s / 3600}h`;
  if (s % 60 === 0) return `${sign}${s / 60}m`;
  if (s >= 60) return `${sign}${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
  return `${sign}${Number(s.toPrecision(3))}s`;
}
