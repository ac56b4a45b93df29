import type { MetricDef, Sample } from "../metrics/metric-def.js";
import { plainMetric } from "../metrics/metric-def.js";
import type { ComputeAppRow } from "../nvidia-smi/compute-apps.js";
import type { NvidiaDevice } from "../nvidia-smi/query-devices.js";
import type { XidCount } from "../xid/xid-tracker.js";
import { NVIDIA_SMI_PREFIX, nvidiaSmiName } from "./metric-name.js";
import {
  isKnownAbsentValue,
  normaliseUuid,
  transformFieldValue,
  transformRawValue,
} from "./transform-value.js";

/** gpu_info's labels, in nvidia_gpu_exporter's order, by the query field that fills each. */
const INFO_FIELDS: readonly (readonly [string, string])[] = [
  ["uuid", "uuid"],
  ["name", "name"],
  ["driver_model.current", "driver_model_current"],
  ["driver_model.pending", "driver_model_pending"],
  ["vbios_version", "vbios_version"],
  ["driver_version", "driver_version"],
  ["pci.bus_id", "pci_bus_id"],
  ["serial", "serial"],
  ["compute_cap", "compute_cap"],
  ["pci.sub_device_id", "pci_sub_device_id"],
  ["index", "index"],
];
const INFO_LABELS = [...INFO_FIELDS.map(([, label]) => label), "cuda_version"];
const APP_LABELS = ["uuid", "pid", "process_name"];
const UUID = ["uuid"];
const MIB = 1024 * 1024;

const def = (type: MetricDef["type"], name: string, help: string, labels: readonly string[]) =>
  plainMetric(type, `${NVIDIA_SMI_PREFIX}_${name}`, help, labels);

/** The families nvidia_gpu_exporter defines whatever the driver lists (exporter.go). */
const FIXED = {
  gpuInfo: def(
    "gauge",
    "gpu_info",
    `A metric with a constant '1' value labeled by gpu ${INFO_LABELS.join(", ")}.`,
    INFO_LABELS,
  ),
  failedScrapes: def("counter", "failed_scrapes_total", "Number of failed collections", []),
  exitCode: def("gauge", "command_exit_code", "Exit code of the most recent nvidia-smi run", []),
  success: def(
    "gauge",
    "last_collect_success",
    "Whether the most recent collection succeeded (1) or not (0)",
    [],
  ),
  successTimestamp: def(
    "gauge",
    "last_collect_success_timestamp_seconds",
    "Unix timestamp of the most recent successful collection",
    [],
  ),
  duration: def(
    "gauge",
    "last_collect_duration_seconds",
    "Duration of the most recent collection",
    [],
  ),
  appInfo: def(
    "gauge",
    "compute_app_info",
    "A metric with a constant '1' value labeled by the identity of a process with a compute context on a GPU.",
    APP_LABELS,
  ),
  appMemory: def(
    "gauge",
    "compute_app_used_memory_bytes",
    "GPU memory used by the process. Absent when the driver cannot report it (e.g. Windows WDDM).",
    APP_LABELS,
  ),
  apps: def(
    "gauge",
    "compute_apps",
    "Number of processes with a compute context on the GPU.",
    UUID,
  ),
  xidErrors: def(
    "counter",
    "xid_errors_total",
    "Number of XID errors observed on the GPU since the exporter started. A series appears when its first event arrives; earlier history cannot be replayed.",
    ["uuid", "xid"],
  ),
  xidLastTimestamp: def(
    "gauge",
    "xid_last_timestamp_seconds",
    "Unix timestamp of the most recently observed XID error, as received by the exporter (the driver events carry no timestamp of their own).",
    ["uuid", "xid"],
  ),
  appsSuccess: def(
    "gauge",
    "compute_apps_last_collect_success",
    "Whether the most recent per-process collection succeeded (1) or not (0)",
    [],
  ),
} satisfies Record<string, MetricDef>;

/**
 * Names of every family nvidia_gpu_exporter owns outside the query fields, its NVML-only
 * ones included (fixedMetricNames): a query field never takes one of these names.
 */
const RESERVED = new Set(
  [
    "failed_scrapes_total",
    "last_collect_success",
    "last_collect_success_timestamp_seconds",
    "last_collect_duration_seconds",
    "gpu_info",
    "compute_app_info",
    "compute_app_used_memory_bytes",
    "compute_apps",
    "compute_apps_last_collect_success",
    "pcie_throughput_tx_bytes_per_second",
    "pcie_throughput_rx_bytes_per_second",
    "energy_joules_total",
    "mig_info",
    "mig_memory_total_bytes",
    "mig_memory_used_bytes",
    "mig_memory_free_bytes",
    "mig_memory_reserved_bytes",
    "mig_graphics_activity_ratio",
    "mig_sm_activity_ratio",
    "mig_sm_occupancy_ratio",
    "mig_tensor_activity_ratio",
    "mig_pcie_throughput_tx_bytes_per_second",
    "mig_pcie_throughput_rx_bytes_per_second",
    "xid_errors_total",
    "xid_last_timestamp_seconds",
    "command_exit_code",
    "nvml_return_code",
  ].map((name) => `${NVIDIA_SMI_PREFIX}_${name}`),
);

/** How the last nvidia-smi collection went, as nvidia_gpu_exporter reports it. */
export interface CollectionHealth {
  /** Collections that failed since the collector started. */
  readonly failures: number;
  readonly success: boolean;
  /** Exit status of the last run (-1 when it did not exit: not found, killed). */
  readonly exitCode: number;
  readonly durationSeconds: number;
  /** Unix time of the last success, if any. */
  readonly lastSuccessSeconds: number | undefined;
}

export interface NvidiaSmiReadingForCompat {
  /** The last reading's GPUs; undefined when it failed. */
  readonly devices: readonly NvidiaDevice[] | undefined;
  /**
   * XIDs per GPU and code from the kernel log, undefined when it is not read. Upstream
   * has these from NVML events only; here they come from the kernel log, which also holds
   * the XIDs of this boot logged before the exporter started, each at the time it was logged.
   */
  readonly xids: readonly XidCount[] | undefined;
  /** Processes, when asked for: undefined when they could not be read. */
  readonly computeApps: readonly ComputeAppRow[] | undefined;
  readonly processesAsked: boolean;
  readonly cudaVersion: string;
  readonly health: CollectionHealth;
}

/**
 * nvidia_gpu_exporter's `nvidia_smi_*` output (its default nvidia-smi backend, at
 * e656cd8), from the collector's own nvidia-smi reading: one gauge per query column
 * named after its header (`memory.used [MiB]` → `nvidia_smi_memory_used_bytes`, value in
 * bytes, HELP the header), labelled `uuid` without `GPU-`; `nvidia_smi_gpu_info`; the
 * collection health families; with `processes` its per-process families; and, from the
 * kernel log, the XID families its NVML backend has (its alert rules read them). A name two
 * columns would share, or one it reserves, is left out as upstream leaves it out.
 * Families are made as columns appear and kept (one def per name).
 */
export class NvidiaSmiMetrics {
  private readonly byName = new Map<string, MetricDef>();

  samples(reading: NvidiaSmiReadingForCompat): Sample[] {
    const samples: Sample[] = this.health(reading.health);
    for (const xid of reading.xids ?? []) {
      const labels = { uuid: normaliseUuid(xid.uuid), xid: String(xid.code) };
      samples.push({ def: FIXED.xidErrors, labels, value: xid.count });
      samples.push({ def: FIXED.xidLastTimestamp, labels, value: xid.lastTimeSeconds });
    }
    const devices = reading.devices;
    if (!devices) return samples;
    const columns = this.columnDefs(devices);
    for (const device of devices) {
      const raw = new Map(device.cells.map((cell) => [cell.field, cell.value]));
      const uuid = normaliseUuid(raw.get("uuid") ?? "");
      const info: Record<string, string> = { cuda_version: reading.cudaVersion };
      for (const [field, label] of INFO_FIELDS)
        info[label] = field === "uuid" ? uuid : (raw.get(field) ?? "");
      samples.push({ def: FIXED.gpuInfo, labels: info, value: 1 });
      for (const cell of device.cells) {
        const column = columns.get(cell.field);
        if (!column) continue;
        const value = transformFieldValue(cell.field, cell.value, column.multiplier);
        if (value !== undefined) samples.push({ def: column.def, labels: { uuid }, value });
      }
    }
    if (reading.processesAsked) samples.push(...processSamples(devices, reading.computeApps));
    return samples;
  }

  /** A def per column whose name is its own; the same def for a name across readings. */
  private columnDefs(
    devices: readonly NvidiaDevice[],
  ): Map<string, { def: MetricDef; multiplier: number }> {
    const named = new Map<string, { header: string; field: string; multiplier: number }[]>();
    for (const cell of devices[0]?.cells ?? []) {
      const { name, multiplier } = nvidiaSmiName(cell.header);
      if (name === "" || RESERVED.has(name)) continue;
      named.set(name, [
        ...(named.get(name) ?? []),
        { header: cell.header, field: cell.field, multiplier },
      ]);
    }
    const columns = new Map<string, { def: MetricDef; multiplier: number }>();
    for (const [name, claimants] of named) {
      const only = claimants.length === 1 ? claimants[0] : undefined;
      if (!only) continue;
      let metric = this.byName.get(name);
      if (!metric) {
        metric = plainMetric("gauge", name, only.header, UUID);
        this.byName.set(name, metric);
      }
      columns.set(only.field, { def: metric, multiplier: only.multiplier });
    }
    return columns;
  }

  private health(health: CollectionHealth): Sample[] {
    const samples: Sample[] = [
      { def: FIXED.failedScrapes, labels: {}, value: health.failures },
      { def: FIXED.success, labels: {}, value: health.success ? 1 : 0 },
      { def: FIXED.exitCode, labels: {}, value: health.exitCode },
      { def: FIXED.duration, labels: {}, value: health.durationSeconds },
    ];
    if (health.lastSuccessSeconds !== undefined)
      samples.push({
        def: FIXED.successTimestamp,
        labels: {},
        value: Math.floor(health.lastSuccessSeconds),
      });
    return samples;
  }
}

/**
 * Per-process families: a failed process read shows only its success gauge at 0, so
 * "no processes" (count 0) and "could not look" stay apart, as upstream's renderApps.
 */
function processSamples(
  devices: readonly NvidiaDevice[],
  apps: readonly ComputeAppRow[] | undefined,
): Sample[] {
  const samples: Sample[] = [
    { def: FIXED.appsSuccess, labels: {}, value: apps === undefined ? 0 : 1 },
  ];
  if (apps === undefined) return samples;
  const counts = new Map<string, number>();
  for (const device of devices) counts.set(normaliseUuid(device.uuid), 0);
  for (const app of apps) {
    const uuid = normaliseUuid(app.uuid);
    if (uuid === "") continue;
    counts.set(uuid, (counts.get(uuid) ?? 0) + 1);
    const labels = { uuid, pid: app.pid, process_name: app.processName.trim() };
    samples.push({ def: FIXED.appInfo, labels, value: 1 });
    if (isKnownAbsentValue(app.usedMemory)) continue;
    const memory = transformRawValue(app.usedMemory, MIB);
    if (memory !== undefined) samples.push({ def: FIXED.appMemory, labels, value: memory });
  }
  for (const [uuid, count] of counts)
    samples.push({ def: FIXED.apps, labels: { uuid }, value: count });
  return samples;
}

/** The families that exist whatever the driver lists, for registering them up front. */
export const NVIDIA_SMI_FIXED_METRICS: readonly MetricDef[] = Object.values(FIXED);
