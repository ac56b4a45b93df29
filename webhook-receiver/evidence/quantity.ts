import type { Unit } from "../../spec/model/unit.js";
import { UNIT_INFO } from "../../spec/model/unit.js";
import { Z_CAP } from "./robust-stats.js";

/** Numbers as people read them: up to 3 significant digits, no exponent for common sizes. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e6 || abs < 1e-4) return x.toExponential(2).replace(/\.?0+e/, "e");
  return String(Number(x.toPrecision(3)));
}

const HOUR_S = 3600;
const DAY_S = 86_400;
const SI = ["", "k", "M", "G", "T", "P"] as const;
const BINARY = ["", "Ki", "Mi", "Gi", "Ti", "Pi"] as const;

/**
 * A value in its monitor's unit: `946 ms`, `1.5 GiB`, `95%`, `85 °C`, `1.41 GHz`. A
 * non-finite value is shown as it is (NaN, +Inf, -Inf), never dressed in a unit.
 */
export function formatQuantity(x: number, unit: Unit | undefined): string {
  if (unit === undefined || !Number.isFinite(x)) return formatNumber(x);
  const { symbol, scale } = UNIT_INFO[unit];
  // The scale is picked for the value as shown: 0.99999 s is "1 s", not "1000 ms".
  const shown = Number(x.toPrecision(3));
  switch (unit) {
    case "seconds": {
      const abs = Math.abs(shown);
      if (abs !== 0 && abs < 1e-3) return `${formatNumber(x * 1e6)} µs`;
      if (abs !== 0 && abs < 1) return `${formatNumber(x * 1000)} ms`;
      if (abs >= 2 * DAY_S) return `${formatNumber(x / DAY_S)} d`;
      if (abs >= 2 * HOUR_S) return `${formatNumber(x / HOUR_S)} h`;
      return `${formatNumber(x)} s`;
    }
    case "ratio":
      return `${formatNumber(x * 100)}%`;
    case "percent":
      return `${formatNumber(x)}%`;
    default: {
      if (scale === "none") return `${formatNumber(x)} ${symbol}`;
      const base = scale === "si" ? 1000 : 1024;
      const prefixes = scale === "si" ? SI : BINARY;
      let value = x;
      let i = 0;
      while (Math.abs(Number(value.toPrecision(3))) >= base && i < prefixes.length - 1) {
        value /= base;
        i++;
      }
      return `${formatNumber(value)} ${prefixes[i] ?? ""}${symbol}`;
    }
  }
}

/**
 * A robust z-score as evidence text: `z 12.3`; at the cap, `z ≥ 100` (the number beyond it
 * carries no information, so it is not shown as if it were measured).
 */
export function formatZ(z: number): string {
  if (Math.abs(z) >= Z_CAP) return z > 0 ? `z ≥ ${Z_CAP}` : `z ≤ -${Z_CAP}`;
  return `z ${formatNumber(z)}`;
}
