/**
 * Every GPU metric name and label the presets use, for aiwatch's GPU collector and for
 * NVIDIA dcgm-exporter, in one place so they are easy to align when either changes.
 *
 * aiwatch: exporters/gpu (labels `instance`, `gpu`, `uuid`). dcgm-exporter: DCGM_FI_*
 * fields (labels `gpu`, `UUID` and `Hostname`, which some deployments relabel to
 * `hostname`). XID, row-remap failure, utilisation and framebuffer used/free are in its
 * default counters (etc/default-counters.csv); DCGM_FI_DEV_ECC_DBE_VOL_TOTAL and
 * DCGM_FI_DEV_CLOCK_THROTTLE_REASONS are not and must be enabled in its counters file for
 * the ECC and throttling presets. DCGM_FI_DEV_FB_TOTAL is not either, so the memory
 * forecast watches free memory (used + free is the total) fall to 0 instead.
 */
export type GpuSource = "aiwatch" | "dcgm";
export const HOSTNAME_LABELS = ["Hostname", "hostname"] as const;
export type HostnameLabel = (typeof HOSTNAME_LABELS)[number];

export interface GpuNames {
  /** Labels that identify one GPU. */
  readonly gpuLabels: readonly string[];
  readonly xid: { readonly selector: string; readonly mode: "counter" | "changes" };
  readonly eccUncorrectable: string;
  readonly rowRemapFailure: string;
  /** An expression that is 1 while a thermal or hardware power-brake slowdown holds. */
  readonly throttling: (by: readonly string[]) => string;
  /** The memory forecast: a series and the limit it must not reach. */
  readonly memoryExhaustion: {
    readonly signal: string;
    /** aiwatch counts bytes; DCGM counts MiB, which has no unit of its own in the spec. */
    readonly unit?: "bytes";
    readonly limit: { readonly above: string } | { readonly below: number };
    /** Annotations that say the MiB a unit-less series counts in. */
    readonly annotations?: { readonly summary: string; readonly description: string };
  };
  /** Expression of GPU utilisation (0-1) on GPUs that hold memory, i.e. a job owns them. */
  readonly utilisationWhileAllocated: (by: readonly string[]) => string;
}

/** nvml clock event reasons that mean the GPU protects itself: thermal and power brake. */
const THROTTLE_REASONS = ["sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown"];
/** 1 GiB: a process holding this much GPU memory is a job, not a driver's residue. */
const ALLOCATED_BYTES = 1_073_741_824;

export function gpuNames(source: GpuSource, hostnameLabel: HostnameLabel = "Hostname"): GpuNames {
  if (source === "aiwatch") {
    return {
      gpuLabels: ["instance", "gpu", "uuid"],
      // All codes in one counter that exists from 0: the per-code aiwatch_gpu_xid_errors_total
      // appears with a code's first event, which increase() cannot see.
      xid: { selector: "aiwatch_gpu_xid_events_total", mode: "counter" },
      eccUncorrectable:
        'aiwatch_gpu_ecc_errors_total{error_type="uncorrected", counter_type="volatile"}',
      rowRemapFailure: "aiwatch_gpu_remapped_rows_failure",
      throttling: (by) =>
        `max by (${by.join(", ")}) (aiwatch_gpu_clock_event_reason_active{reason=~"${THROTTLE_REASONS.join("|")}"})`,
      memoryExhaustion: {
        signal: "aiwatch_gpu_memory_used_bytes",
        unit: "bytes",
        limit: { above: "aiwatch_gpu_memory_total_bytes" },
      },
      utilisationWhileAllocated: (by) =>
        `max by (${by.join(", ")}) (aiwatch_gpu_utilization_ratio) and on(${by.join(", ")}) max by (${by.join(", ")}) (aiwatch_gpu_memory_used_bytes) > ${ALLOCATED_BYTES}`,
    };
  }
  // DCGM_FI_DEV_CLOCK_THROTTLE_REASONS is nvml's bitmask: 0x20 sw thermal, 0x40 hw
  // thermal, 0x80 hw power brake, i.e. bits 5-7: floor(x / 32) % 8 > 0.
  return {
    gpuLabels: [hostnameLabel, "gpu", "UUID"],
    xid: { selector: "DCGM_FI_DEV_XID_ERRORS", mode: "changes" },
    eccUncorrectable: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
    rowRemapFailure: "DCGM_FI_DEV_ROW_REMAP_FAILURE",
    throttling: (by) =>
      `max by (${by.join(", ")}) (floor(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS / 32) % 8 > bool 0)`,
    // Used reaches used + free exactly when free reaches 0.
    memoryExhaustion: {
      signal: "DCGM_FI_DEV_FB_FREE",
      limit: { below: 0 },
      annotations: {
        summary: `GPU memory exhaustion forecast: free framebuffer memory predicted to reach {{ printf "%.0f" $value }} MiB within 4h on ${hostnameLabel}={{ $labels.${hostnameLabel} }}, gpu={{ $labels.gpu }}`,
        description: `Extrapolating the last 1h of DCGM_FI_DEV_FB_FREE, GPU {{ $labels.gpu }} (UUID {{ $labels.UUID }}) on {{ $labels.${hostnameLabel} }} has {{ printf "%.0f" $value }} MiB of framebuffer memory free in 4h: it runs out before then. Layer: environment.`,
      },
    },
    // DCGM reports utilisation in percent and framebuffer memory in MiB.
    utilisationWhileAllocated: (by) =>
      `max by (${by.join(", ")}) (DCGM_FI_DEV_GPU_UTIL) / 100 and on(${by.join(", ")}) max by (${by.join(", ")}) (DCGM_FI_DEV_FB_USED) > ${ALLOCATED_BYTES / 1_048_576}`,
  };
}
