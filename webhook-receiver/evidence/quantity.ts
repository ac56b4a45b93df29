import type { Unit } from "../../spec/model/unit.js";
import { UNIT_INFO } from "../../spec/model/unit.js";
import { Z_CAP } from "./robust-stats.js";

/**
 * Numbers as people read them: 3 significant digits below 1000; from 1000 up to a million
 * whole numbers, so a count reads exactly (1234 requests, not 1230) and a fraction loses
 * only its decimals; an exponent beyond (and for tiny values).
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (Math.round(abs) >= 1e6 || abs < 1e-4) return x.toExponential(2).replace(/\.?0+e/, "e");
  if (abs >= 1000) return String(Math.sign(x) * Math.round(abs));
  return String(Number(x.toPrecision(3)));
}

/** The value `formatNumber` shows, as a number: scales are picked on it, not on `x`. */
function shownValue(x: number): number {
  return Number(formatNumber(x));
}

/** How a value is written in a unit: divided by `divisor`, followed by `suffix`. */
export interface QuantityScale {
  readonly divisor: number;
  readonly suffix: string;
}

const HOUR_S = 3600;
const DAY_S = 86_400;
const SI = ["", "k", "M", "G", "T", "P"] as const;
const BINARY = ["", "Ki", "Mi", "Gi", "Ti", "Pi"] as const;

/**
 * The prefix for `x` as shown: 1023.6 B is shown as 1024 B, so it is "1 KiB"; 2^30 B is
 * "1 GiB", not "1020 MiB" (the prefix is chosen on the rounded value, the same value the
 * reader sees).
 */
export function prefixScale(x: number, scale: "si" | "binary", symbol: string): QuantityScale {
  const base = scale === "si" ? 1000 : 1024;
  const prefixes = scale === "si" ? SI : BINARY;
  let divisor = 1;
  let i = 0;
  while (Math.abs(shownValue(x / divisor)) >= base && i < prefixes.length - 1) {
    divisor *= base;
    i++;
  }
  return { divisor, suffix: ` ${prefixes[i] ?? ""}${symbol}` };
}

/**
 * The scale `x` is written in, in its unit: µs, ms, s, h or d for seconds, the prefix of a
 * scaled unit, % for ratios. Picked for the value as shown: 0.99999 s is "1 s", not
 * "1000 ms". A chart axis picks one for its largest tick and writes every tick in it.
 */
export function quantityScale(x: number, unit: Unit): QuantityScale {
  const { symbol, scale } = UNIT_INFO[unit];
  switch (unit) {
    case "seconds": {
      const abs = Math.abs(shownValue(x));
      if (abs !== 0 && abs < 1e-3) return { divisor: 1e-6, suffix: " µs" };
      if (abs !== 0 && abs < 1) return { divisor: 1e-3, suffix: " ms" };
      if (abs >= 2 * DAY_S) return { divisor: DAY_S, suffix: " d" };
      if (abs >= 2 * HOUR_S) return { divisor: HOUR_S, suffix: " h" };
      return { divisor: 1, suffix: " s" };
    }
    case "milliseconds": {
      // A duration all the same: a two-hour wait reads "2 h", not "7.2e+6 ms".
      const inSeconds = quantityScale(x / 1000, "seconds");
      return { divisor: inSeconds.divisor * 1000, suffix: inSeconds.suffix };
    }
    case "ratio":
      return { divisor: 0.01, suffix: "%" };
    case "percent":
      return { divisor: 1, suffix: "%" };
    default:
      return scale === "none"
        ? { divisor: 1, suffix: ` ${symbol}` }
        : prefixScale(x, scale, symbol);
  }
}

/**
 * A value in its monitor's unit: `946 ms`, `1.5 GiB`, `95%`, `85 °C`, `1.41 GHz`. A
 * non-finite value is shown as it is (NaN, +Inf, -Inf), never dressed in a unit.
 */
export function formatQuantity(x: number, unit: Unit | undefined): string {
  if (unit === undefined || !Number.isFinite(x)) return formatNumber(x);
  return formatInScale(x, unit, quantityScale(x, unit));
}

/** `x` written in `scale` (one an axis shares between its ticks, or its own). */
export function formatInScale(x: number, unit: Unit, scale: QuantityScale): string {
  if (!Number.isFinite(x)) return formatNumber(x);
  const scaled = x / scale.divisor;
  const text = unit === "ratio" || unit === "percent" ? percentText(scaled) : formatNumber(scaled);
  return `${text}${scale.suffix}`;
}

/** How far from 100 a percentage is float noise: far below the 7 digits it may show. */
const PERCENT_NOISE = 1e-9;

/** Significant digits a percentage near 100 may grow to before it is cut instead. */
const MAX_PERCENT_DIGITS = 7;

/**
 * A percentage that is not exactly 100 never reads "100": an availability of 99.95%
 * rounded to 3 digits would make a drop read "100% → 100%". Digits are added until it
 * differs (99.95, 99.999), up to 7 significant ones; beyond that it is cut, not rounded
 * (99.999999 reads 99.99999), so it stays on its side of 100. (Nothing non-zero reads 0:
 * `formatNumber` writes small values with an exponent.)
 */
function percentText(p: number): string {
  const text = formatNumber(p);
  const abs = Math.abs(p);
  // Float noise (0.1 * 3 / 0.3 is 1.0000000000000002) is 100, not "100.0001".
  if (Math.abs(abs - 100) < PERCENT_NOISE || Math.abs(Number(text)) !== 100) return text;
  for (let digits = 4; digits <= MAX_PERCENT_DIGITS; digits++) {
    const more = Number(p.toPrecision(digits));
    if (Math.abs(more) !== 100) return String(more);
  }
  const decimals = 10 ** (MAX_PERCENT_DIGITS - (abs < 100 ? 2 : 3));
  const cut = abs < 100 ? Math.floor(abs * decimals) : Math.ceil(abs * decimals);
  return String((Math.sign(p) * cut) / decimals);
}

/**
 * A robust z-score as evidence text: `z 12.3`; at the cap, `z ≥ 100` (the number beyond it
 * carries no information, so it is not shown as if it were measured).
 */
export function formatZ(z: number): string {
  if (Math.abs(z) >= Z_CAP) return z > 0 ? `z ≥ ${Z_CAP}` : `z ≤ -${Z_CAP}`;
  return `z ${formatNumber(z)}`;
}
