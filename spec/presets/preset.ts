import type { GpuSource, HostnameLabel } from "./gpu-metrics.js";

export interface PresetOptions {
  readonly source: GpuSource;
  readonly hostnameLabel: HostnameLabel;
}

/** The spec fields of a monitor, as a user would write them (name and related aside). */
export type MonitorFields = Readonly<Record<string, unknown>>;

export interface Preset {
  readonly name: string;
  /** One line for the catalogue. */
  readonly what: string;
  /** Presets that may explain this one; wired when the spec uses them too. */
  readonly related: readonly string[];
  /** Whether the preset also has a dcgm-exporter form. */
  readonly gpu: boolean;
  fields(options: PresetOptions): MonitorFields;
}
