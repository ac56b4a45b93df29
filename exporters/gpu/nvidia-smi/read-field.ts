import type { FieldReading } from "../tools/field-reading.js";
import {
  absentReason,
  parseLocalTimestamp,
  parseDecimal,
  parseHex,
  parsePerformanceState,
  parseSwitch,
  stateLabel,
} from "../tools/tool-value.js";
import type { FieldSpec } from "./field-spec.js";

/**
 * One printed value, read as its spec says. A unit in the header other than the one the
 * spec converts from is refused rather than converted wrongly.
 */
export function readField(
  spec: FieldSpec,
  headerUnit: string | undefined,
  cell: string,
): FieldReading {
  const absent = absentReason(cell);
  if (absent) return { state: "absent", reason: absent };
  const invalid = (expected: string): FieldReading => ({ state: "invalid", text: cell, expected });
  switch (spec.kind) {
    case "text":
      return { state: "text", text: cell };
    case "state": {
      const label = stateLabel(cell);
      return label === undefined ? invalid("a state word") : { state: "text", text: label };
    }
    case "switch":
      return (
        numeric(parseSwitch(cell), 1) ?? invalid("Yes/No, Enabled/Disabled or Active/Not Active")
      );
    case "pstate":
      return numeric(parsePerformanceState(cell), 1) ?? invalid("P0 to P15");
    case "timestamp":
      return (
        numeric(parseLocalTimestamp(cell), 1) ?? invalid("a time such as 2026/07/14 09:00:44.579")
      );
    case "hex":
      return (
        numeric(parseHex(cell), 1) ?? invalid("a hexadecimal bitmask such as 0x0000000000000004")
      );
    case "number": {
      if (headerUnit !== spec.unit)
        return invalid(spec.unit ? `a value in ${spec.unit}` : "a value without a unit");
      const text =
        spec.unit && cell.endsWith(` ${spec.unit}`) ? cell.slice(0, -spec.unit.length - 1) : cell;
      return (
        numeric(parseDecimal(text), spec.scale ?? 1) ??
        invalid(`a number${spec.unit ? ` in ${spec.unit}` : ""}`)
      );
    }
  }
}

function numeric(printed: number | undefined, scale: number): FieldReading | undefined {
  return printed === undefined
    ? undefined
    : { state: "value", value: scaled(printed, scale), printed };
}

/**
 * Scales without the binary-fraction noise a plain multiply adds (7 * 0.01 is
 * 0.07000000000000001): the result is rounded to the precision the inputs carry.
 */
function scaled(value: number, scale: number): number {
  if (scale === 1) return value;
  const product = value * scale;
  return Number(product.toPrecision(15));
}
