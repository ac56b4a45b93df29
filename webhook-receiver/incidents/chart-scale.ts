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

const SHORT_UNIT: Readonly<Record<string, string>> = {
  seconds: "s",
  bytes: "B",
  celsius: "°C",
  watts: "W",
  joules: "J",
  hertz: "Hz",
  volts: "V",
  amperes: "A",
  meters: "m",
  grams: "g",
  percent: "%",
};

/** A tick value, compact (1.5k, 2M, 0.001), with its unit's symbol where it has one. */
export function formatTick(value: number, unit: string): string {
  if (unit === "ratio") return `${compact(value * 100)}%`;
  const symbol = SHORT_UNIT[unit];
  if (unit === "seconds" && Math.abs(value) < 1 && value !== 0) return `${compact(value * 1000)}ms`;
  return symbol
    ? `${compact(value)}${symbol === "%" || symbol === "°C" ? "" : " "}${symbol}`
    : compact(value);
}

export function compact(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  const scaled = (divisor: number, suffix: string): string =>
    `${Number((value / divisor).toPrecision(3))}${suffix}`;
  if (abs >= 1e12) return scaled(1e12, "T");
  if (abs >= 1e9) return scaled(1e9, "G");
  if (abs >= 1e6) return scaled(1e6, "M");
  if (abs >= 1e4) return scaled(1e3, "k");
  if (abs < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
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
