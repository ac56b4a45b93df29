/**
 * Go's fmt formatting of float64 (`%v`, `%.Ng`, `%.Nf`, `%.Ne`), reproduced exactly so
 * that generated promtool tests can state the annotation Prometheus will render.
 * JavaScript's toFixed/toPrecision round ties away from zero; Go rounds the exact binary
 * value half-to-even (`printf "%.2f" 0.125` is `0.12` in Go, `0.13` in JavaScript), so
 * digits are computed here from the exact decimal expansion of the double.
 */

/** value = 0.d1d2d3... × 10^decimalPoint, digits without leading or trailing zeros. */
interface DecimalDigits {
  digits: string;
  decimalPoint: number;
}

export function formatGoFloat(
  value: number,
  verb: "v" | "g" | "f" | "e",
  precision?: number,
): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  const sign = negative ? "-" : "";
  switch (verb) {
    case "v":
      return sign + formatG(shortestDigits(magnitude), -1);
    case "g": {
      const p = precision === undefined ? -1 : Math.max(precision, 1);
      const digits = p < 0 ? shortestDigits(magnitude) : roundTo(exactDigits(magnitude), p);
      return sign + formatG(digits, p);
    }
    case "f": {
      const p = precision ?? 6;
      const exact = exactDigits(magnitude);
      return sign + formatF(roundTo(exact, exact.decimalPoint + p), p);
    }
    case "e": {
      const p = precision ?? 6;
      return sign + formatE(roundTo(exactDigits(magnitude), p + 1), p);
    }
  }
}

function formatG(d: DecimalDigits, precision: number): string {
  const shortest = precision < 0;
  let eprec = shortest ? 6 : precision;
  if (!shortest && eprec > d.digits.length && d.digits.length >= d.decimalPoint)
    eprec = d.digits.length;
  const exponent = d.decimalPoint - 1;
  if (d.digits === "") return "0";
  if (exponent < -4 || exponent >= eprec) {
    return formatE(d, Math.min(shortest ? d.digits.length : precision, d.digits.length) - 1);
  }
  const p = shortest || precision > d.decimalPoint ? d.digits.length : precision;
  return formatF(d, Math.max(p - d.decimalPoint, 0));
}

function formatF(d: DecimalDigits, fractionDigits: number): string {
  let integer = "";
  if (d.decimalPoint > 0) {
    for (let i = 0; i < d.decimalPoint; i++) integer += d.digits[i] ?? "0";
  } else integer = "0";
  if (fractionDigits === 0) return integer;
  let fraction = "";
  for (let i = 0; i < fractionDigits; i++) {
    const index = d.decimalPoint + i;
    fraction += index < 0 ? "0" : (d.digits[index] ?? "0");
  }
  return `${integer}.${fraction}`;
}

function formatE(d: DecimalDigits, fractionDigits: number): string {
  const digits = d.digits === "" ? "0" : d.digits;
  let out = digits[0] ?? "0";
  if (fractionDigits > 0) {
    out += ".";
    for (let i = 1; i <= fractionDigits; i++) out += digits[i] ?? "0";
  }
  const exponent = d.digits === "" ? 0 : d.decimalPoint - 1;
  const absExponent = Math.abs(exponent);
  return `${out}e${exponent < 0 ? "-" : "+"}${absExponent < 10 ? "0" : ""}${absExponent}`;
}

/** Shortest digits that round-trip; JavaScript and Go agree on these. */
function shortestDigits(magnitude: number): DecimalDigits {
  if (magnitude === 0) return { digits: "", decimalPoint: 0 };
  const [mantissa = "0", exponentText = "0"] = magnitude.toExponential().split("e");
  const digits = mantissa.replace(".", "").replace(/0+$/, "");
  return { digits, decimalPoint: Number(exponentText) + 1 };
}

/** The exact decimal expansion of a double, computed with BigInt. */
function exactDigits(magnitude: number): DecimalDigits {
  if (magnitude === 0) return { digits: "", decimalPoint: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, magnitude);
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  let text: string;
  let decimalPoint: number;
  if (exponent >= 0) {
    text = (mantissa << BigInt(exponent)).toString();
    decimalPoint = text.length;
  } else {
    text = (mantissa * 5n ** BigInt(-exponent)).toString();
    decimalPoint = text.length + exponent;
  }
  const trimmed = text.replace(/0+$/, "");
  return { digits: trimmed, decimalPoint };
}

/** Rounds to `count` significant digits, ties to even, as Go's strconv does. */
function roundTo(d: DecimalDigits, count: number): DecimalDigits {
  if (count < 0) return { digits: "", decimalPoint: 0 };
  if (d.digits.length <= count) return d;
  const next = d.digits.charCodeAt(count) - 48;
  const rest = d.digits.slice(count + 1);
  const previous = count > 0 ? d.digits.charCodeAt(count - 1) - 48 : 0;
  const roundUp = next > 5 || (next === 5 && (/[1-9]/.test(rest) || previous % 2 === 1));
  let kept = d.digits.slice(0, count);
  let decimalPoint = d.decimalPoint;
  if (roundUp) {
    let i = kept.length - 1;
    const chars = kept.split("");
    while (i >= 0 && chars[i] === "9") {
      chars[i] = "0";
      i--;
    }
    if (i < 0) {
      chars.unshift("1");
      decimalPoint++;
    } else chars[i] = String.fromCharCode((chars[i] ?? "0").charCodeAt(0) + 1);
    kept = chars.join("");
  }
  kept = kept.replace(/0+$/, "");
  return kept === "" ? { digits: "", decimalPoint: 0 } : { digits: kept, decimalPoint };
}
