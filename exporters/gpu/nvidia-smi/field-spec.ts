import type { Labels, MetricDef } from "../metrics/metric-def.js";

/** How a field's printed value is read. */
export type FieldKind =
  /** A decimal, optionally followed by the header's unit ("433.78 W"). */
  | "number"
  /** "0x00000000000001FF". */
  | "hex"
  /** Yes/No, Enabled/Disabled, Active/Not Active, ... → 1/0. */
  | "switch"
  /** "P0" … "P15". */
  | "pstate"
  /** A word that becomes a label value of a constant-1 series ("Default", "Drain P2P"). */
  | "state"
  /** Free text that becomes an info label. */
  | "text"
  /** nvidia-smi's `YYYY/MM/DD HH:MM:SS.mmm`, local time → seconds since the epoch. */
  | "timestamp";

export type FieldTarget =
  /** The field names the device: `index` → the `gpu` label, `uuid` → `uuid`. */
  | { readonly kind: "identity"; readonly label: "gpu" | "uuid" }
  /** A sample of `metric` with these extra labels (and, for states, the value as `stateLabel`). */
  | {
      readonly kind: "metric";
      readonly metric: MetricDef;
      readonly labels?: Labels;
      readonly stateLabel?: string;
    }
  /** One label of an info metric. */
  | { readonly kind: "info"; readonly metric: MetricDef; readonly label: string }
  /** nvidia-smi's `count`: the number of GPUs. */
  | { readonly kind: "device_count" };

export interface FieldSpec {
  /** Names nvidia-smi accepts for the field, the current one first. */
  readonly names: readonly [string, ...string[]];
  readonly kind: FieldKind;
  /** The unit nvidia-smi prints in the header (`memory.used [MiB]`); a different one is refused. */
  readonly unit?: string;
  /** Multiplier from the printed unit to the metric's base unit. */
  readonly scale?: number;
  readonly target: FieldTarget;
}

export const MIB = 1024 * 1024;
export const MHZ = 1e6;
export const PERCENT = 0.01;
export const MICROSECONDS = 1e-6;
export const MILLISECONDS = 1e-3;

export function metricField(
  names: FieldSpec["names"],
  kind: FieldKind,
  metric: MetricDef,
  options: { labels?: Labels; unit?: string; scale?: number; stateLabel?: string } = {},
): FieldSpec {
  return {
    names,
    kind,
    unit: options.unit,
    scale: options.scale,
    target: { kind: "metric", metric, labels: options.labels, stateLabel: options.stateLabel },
  };
}

export function infoField(names: FieldSpec["names"], metric: MetricDef, label: string): FieldSpec {
  return { names, kind: "text", target: { kind: "info", metric, label } };
}
