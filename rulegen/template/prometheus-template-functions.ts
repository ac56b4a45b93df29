import { formatGoFloat } from "./go-number-format.js";

/**
 * The value-formatting functions Prometheus adds to alert templates, reproduced from
 * prometheus/template/template.go so generated tests can predict rendered annotations.
 */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return formatGoFloat(v, "g", 4);
  let value = v;
  let prefix = "";
  if (Math.abs(value) >= 1) {
    for (const p of ["k", "M", "G", "T", "P", "E", "Z", "Y"]) {
      if (Math.abs(value) < 1000) break;
      prefix = p;
      value /= 1000;
    }
    return formatGoFloat(value, "g", 4) + prefix;
  }
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(value) >= 1) break;
    prefix = p;
    value *= 1000;
  }
  return formatGoFloat(value, "g", 4) + prefix;
}

export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return formatGoFloat(v, "g", 4);
  let value = v;
  let prefix = "";
  for (const p of ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]) {
    if (Math.abs(value) < 1024) break;
    prefix = p;
    value /= 1024;
  }
  return formatGoFloat(value, "g", 4) + prefix;
}

export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return formatGoFloat(v, "g", 4);
  if (v === 0) return formatGoFloat(v, "g", 4) + "s";
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? "-" : "";
    const value = Math.abs(v);
    // Go's int64(v) saturates to MinInt64 on amd64 for values past 2^63; BigInt division
    // and remainder truncate toward zero exactly as Go's do.
    const whole = value >= 2 ** 63 ? -(2n ** 63n) : BigInt(Math.trunc(value));
    const seconds = whole % 60n;
    const minutes = (whole / 60n) % 60n;
    const hours = (whole / 3600n) % 24n;
    const days = whole / 86400n;
    if (days !== 0n) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0n) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0n) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${formatGoFloat(value, "g", 4)}s`;
  }
  let value = v;
  let prefix = "";
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(value) >= 1) break;
    prefix = p;
    value *= 1000;
  }
  return `${formatGoFloat(value, "g", 4)}${prefix}s`;
}

export function humanizePercentage(v: number): string {
  return formatGoFloat(v * 100, "g", 4) + "%";
}

/** Go's fmt.Sprintf for the verbs alert templates use with numbers and strings. */
export function goSprintf(format: string, args: readonly (string | number)[]): string {
  let argIndex = 0;
  return format.replace(
    /%(%|[-+ 0#]*\d*(?:\.(\d+))?([vdfgesq]))/g,
    (whole, _spec, precision: string | undefined, verb: string | undefined) => {
      if (whole === "%%") return "%";
      const arg = args[argIndex++];
      if (arg === undefined) return `%!${verb}(MISSING)`;
      const p = precision === undefined ? undefined : Number(precision);
      switch (verb) {
        case "s":
        case "v":
          return typeof arg === "number" ? formatGoFloat(arg, "v") : arg;
        case "q":
          return JSON.stringify(String(arg));
        case "d":
          return typeof arg === "number"
            ? `%!d(float64=${formatGoFloat(arg, "v")})`
            : `%!d(string=${arg})`;
        case "f":
        case "g":
        case "e":
          return typeof arg === "number" ? formatGoFloat(arg, verb, p) : `%!${verb}(string=${arg})`;
        default:
          return whole;
      }
    },
  );
}
