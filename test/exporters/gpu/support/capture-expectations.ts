import type { FieldSpec } from "../../../../exporters/gpu/nvidia-smi/field-spec.js";
import type { Series } from "./exposition-text.js";
import { select } from "./exposition-text.js";

/**
 * The test's own reading of a captured value, written independently of the collector's
 * parser: the capture's header unit decides the conversion, and absent markers are
 * anything in brackets, `N/A`, or empty.
 */
const UNIT_SCALE: Readonly<Record<string, number>> = {
  MiB: 1024 * 1024,
  MHz: 1e6,
  "%": 0.01,
  W: 1,
  us: 1e-6,
  ms: 1e-3,
  seconds: 1,
  "W/s": 1,
};
/** nvidia-smi documents encoder.stats.averageLatency in microseconds but prints no unit. */
const UNITLESS_SCALE: Readonly<Record<string, number>> = { "encoder.stats.averageLatency": 1e-6 };

export function isAbsentCell(cell: string): boolean {
  return cell === "" || /^\[.*\]$/.test(cell) || cell === "N/A";
}

export function expectedNumber(field: string, unit: string | undefined, cell: string): number {
  const scale = unit === undefined ? (UNITLESS_SCALE[field] ?? 1) : UNIT_SCALE[unit];
  if (scale === undefined) throw new Error(`the test has no scale for unit ${unit}`);
  const number = Number(
    unit === undefined ? cell : cell.replace(new RegExp(` ${escape(unit)}$`), ""),
  );
  if (!Number.isFinite(number)) throw new Error(`${field}: ${cell} is not a number`);
  return number * scale;
}

export function expectedSwitch(cell: string): number {
  if (/^(Yes|Enabled|Active|valid|True)$/i.test(cell)) return 1;
  if (/^(No|Disabled|Not Active|invalid|False)$/i.test(cell)) return 0;
  throw new Error(`not a switch: ${cell}`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

export function close(actual: number | undefined, expected: number): boolean {
  return (
    actual !== undefined && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected))
  );
}

/**
 * Checks one captured cell against the scraped series: its value where the catalogue
 * maps it to a metric, or its absence counted in aiwatch_gpu_fields_not_exported.
 * Returns a description of the mismatch, or undefined.
 */
export function checkCell(
  series: readonly Series[],
  spec: FieldSpec,
  field: string,
  unit: string | undefined,
  cell: string,
  device: { gpu: string; uuid: string },
): string | undefined {
  const where = `${field} = ${JSON.stringify(cell)}`;
  const target = spec.target;
  if (isAbsentCell(cell)) {
    const counted = select(series, "aiwatch_gpu_fields_not_exported", {
      source: "nvidia-smi",
      field,
    });
    if (counted.length === 0) return `${where}: absent value not counted`;
    if (target.kind === "metric" && target.stateLabel === undefined) {
      const present = select(series, target.metric.name, { ...device, ...target.labels });
      if (present.length > 0) return `${where}: absent value exported as ${present[0]?.value}`;
    }
    return undefined;
  }
  switch (target.kind) {
    case "identity":
      return (target.label === "gpu" ? device.gpu : device.uuid) === cell
        ? undefined
        : `${where}: wrong ${target.label}`;
    case "device_count": {
      const found = select(series, "aiwatch_gpu_devices", { source: "nvidia-smi" })[0]?.value;
      return found === Number(cell) ? undefined : `${where}: aiwatch_gpu_devices is ${found}`;
    }
    case "info": {
      const found = select(series, target.metric.name, device)[0];
      return found?.labels[target.label] === cell
        ? undefined
        : `${where}: ${target.metric.name} has ${target.label}=${JSON.stringify(found?.labels[target.label])}`;
    }
    case "metric": {
      const labels = { ...device, ...target.labels };
      if (target.stateLabel !== undefined) {
        const state = cell
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "_")
          .replace(/^_+|_+$/g, "");
        const found = select(series, target.metric.name, { ...labels, [target.stateLabel]: state });
        return found.length === 1 && found[0]?.value === 1
          ? undefined
          : `${where}: no ${target.metric.name}{${target.stateLabel}="${state}"} 1`;
      }
      const expected =
        spec.kind === "number"
          ? expectedNumber(field, unit, cell)
          : spec.kind === "switch"
            ? expectedSwitch(cell)
            : spec.kind === "hex"
              ? parseInt(cell, 16)
              : spec.kind === "pstate"
                ? Number(cell.slice(1))
                : spec.kind === "timestamp"
                  ? localTime(cell)
                  : NaN;
      const found = select(series, target.metric.name, labels);
      if (found.length !== 1)
        return `${where}: ${found.length} series of ${target.metric.name}${JSON.stringify(labels)}`;
      return close(found[0]?.value, expected)
        ? undefined
        : `${where}: exported ${found[0]?.value}, expected ${expected}`;
    }
  }
}

/** "2026/07/14 09:00:44.579" read as local time, the way nvidia-smi prints it. */
function localTime(cell: string): number {
  const [date = "", time = ""] = cell.split(" ");
  const [y = 0, mo = 1, d = 1] = date.split("/").map(Number);
  const [h = 0, mi = 0, s = 0] = time.split(":").map(Number);
  return new Date(y, mo - 1, d, h, mi, Math.floor(s), Math.round((s % 1) * 1000)).getTime() / 1000;
}
