/**
 * dcgm-exporter names this collector can fill from nvidia-smi with the same meaning and
 * unit (MiB, MHz, %, W, °C, counts, as dcgm-exporter reports them). `field` is the
 * nvidia-smi query field; the help texts are dcgm-exporter's
 * (https://github.com/NVIDIA/dcgm-exporter/blob/main/etc/default-counters.csv).
 *
 * dcgm-exporter declares `counter` for names that do not end in `_total` (and some end
 * in `_TOTAL`), which `promtool check metrics` flags; those are exposed `untyped`, which
 * keeps the names dashboards query and lints clean, and rate()/increase() work on them
 * as before. DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, DCGM_FI_DEV_PCIE_REPLAY_COUNTER and
 * the NVLink and profiling fields have no nvidia-smi query field and are not exposed.
 */
export interface DcgmField {
  readonly name: string;
  /** The type dcgm-exporter declares. */
  readonly dcgmType: "gauge" | "counter";
  readonly help: string;
  /** The nvidia-smi query field the value comes from. */
  readonly field: string;
}

export const DCGM_FIELDS: readonly DcgmField[] = [
  {
    name: "DCGM_FI_DEV_SM_CLOCK",
    dcgmType: "gauge",
    help: "SM clock frequency (in MHz).",
    field: "clocks.current.sm",
  },
  {
    name: "DCGM_FI_DEV_MEM_CLOCK",
    dcgmType: "gauge",
    help: "Memory clock frequency (in MHz).",
    field: "clocks.current.memory",
  },
  {
    name: "DCGM_FI_DEV_VIDEO_CLOCK",
    dcgmType: "gauge",
    help: "Video encoder/decoder clock frequency (in MHz).",
    field: "clocks.current.video",
  },
  {
    name: "DCGM_FI_DEV_MAX_SM_CLOCK",
    dcgmType: "gauge",
    help: "Maximum SM clock frequency (in MHz).",
    field: "clocks.max.sm",
  },
  {
    name: "DCGM_FI_DEV_MAX_MEM_CLOCK",
    dcgmType: "gauge",
    help: "Maximum memory clock frequency (in MHz).",
    field: "clocks.max.memory",
  },
  {
    name: "DCGM_FI_DEV_MEMORY_TEMP",
    dcgmType: "gauge",
    help: "Memory temperature (in C).",
    field: "temperature.memory",
  },
  {
    name: "DCGM_FI_DEV_GPU_TEMP",
    dcgmType: "gauge",
    help: "GPU temperature (in C).",
    field: "temperature.gpu",
  },
  {
    name: "DCGM_FI_DEV_POWER_USAGE",
    dcgmType: "gauge",
    help: "Power draw (in W).",
    field: "power.draw",
  },
  {
    name: "DCGM_FI_DEV_POWER_MGMT_LIMIT",
    dcgmType: "gauge",
    help: "Power management limit (in W).",
    field: "power.limit",
  },
  {
    name: "DCGM_FI_DEV_ENFORCED_POWER_LIMIT",
    dcgmType: "gauge",
    help: "Enforced power limit (in W).",
    field: "enforced.power.limit",
  },
  {
    name: "DCGM_FI_DEV_GPU_UTIL",
    dcgmType: "gauge",
    help: "GPU utilization (in %).",
    field: "utilization.gpu",
  },
  {
    name: "DCGM_FI_DEV_MEM_COPY_UTIL",
    dcgmType: "gauge",
    help: "Memory utilization (in %).",
    field: "utilization.memory",
  },
  {
    name: "DCGM_FI_DEV_ENC_UTIL",
    dcgmType: "gauge",
    help: "Encoder utilization (in %).",
    field: "utilization.encoder",
  },
  {
    name: "DCGM_FI_DEV_DEC_UTIL",
    dcgmType: "gauge",
    help: "Decoder utilization (in %).",
    field: "utilization.decoder",
  },
  {
    name: "DCGM_FI_DEV_FAN_SPEED",
    dcgmType: "gauge",
    help: "Fan speed (in %).",
    field: "fan.speed",
  },
  {
    name: "DCGM_FI_DEV_PSTATE",
    dcgmType: "gauge",
    help: "Performance state (P-state) 0-15. 0=highest.",
    field: "pstate",
  },
  {
    name: "DCGM_FI_DEV_PCIE_LINK_GEN",
    dcgmType: "gauge",
    help: "PCIe current link generation.",
    field: "pcie.link.gen.current",
  },
  {
    name: "DCGM_FI_DEV_PCIE_LINK_WIDTH",
    dcgmType: "gauge",
    help: "PCIe current link width.",
    field: "pcie.link.width.current",
  },
  {
    name: "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS",
    dcgmType: "gauge",
    help: "Current clock throttle reasons (bitmask).",
    field: "clocks_event_reasons.active",
  },
  {
    name: "DCGM_FI_DEV_FB_TOTAL",
    dcgmType: "gauge",
    help: "Framebuffer memory total (in MiB).",
    field: "memory.total",
  },
  {
    name: "DCGM_FI_DEV_FB_FREE",
    dcgmType: "gauge",
    help: "Framebuffer memory free (in MiB).",
    field: "memory.free",
  },
  {
    name: "DCGM_FI_DEV_FB_USED",
    dcgmType: "gauge",
    help: "Framebuffer memory used (in MiB).",
    field: "memory.used",
  },
  {
    name: "DCGM_FI_DEV_FB_RESERVED",
    dcgmType: "gauge",
    help: "Framebuffer memory reserved (in MiB).",
    field: "memory.reserved",
  },
  {
    name: "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
    dcgmType: "counter",
    help: "Total number of single-bit volatile ECC errors.",
    field: "ecc.errors.corrected.volatile.total",
  },
  {
    name: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
    dcgmType: "counter",
    help: "Total number of double-bit volatile ECC errors.",
    field: "ecc.errors.uncorrected.volatile.total",
  },
  {
    name: "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL",
    dcgmType: "counter",
    help: "Total number of single-bit persistent ECC errors.",
    field: "ecc.errors.corrected.aggregate.total",
  },
  {
    name: "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL",
    dcgmType: "counter",
    help: "Total number of double-bit persistent ECC errors.",
    field: "ecc.errors.uncorrected.aggregate.total",
  },
  {
    name: "DCGM_FI_DEV_RETIRED_SBE",
    dcgmType: "counter",
    help: "Total number of retired pages due to single-bit errors.",
    field: "retired_pages.single_bit_ecc.count",
  },
  {
    name: "DCGM_FI_DEV_RETIRED_DBE",
    dcgmType: "counter",
    help: "Total number of retired pages due to double-bit errors.",
    field: "retired_pages.double_bit.count",
  },
  {
    name: "DCGM_FI_DEV_RETIRED_PENDING",
    dcgmType: "counter",
    help: "Total number of pages pending retirement.",
    field: "retired_pages.pending",
  },
  {
    name: "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
    dcgmType: "counter",
    help: "Number of remapped rows for uncorrectable errors",
    field: "remapped_rows.uncorrectable",
  },
  {
    name: "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
    dcgmType: "counter",
    help: "Number of remapped rows for correctable errors",
    field: "remapped_rows.correctable",
  },
  {
    name: "DCGM_FI_DEV_ROW_REMAP_FAILURE",
    dcgmType: "gauge",
    help: "Whether remapping of rows has failed",
    field: "remapped_rows.failure",
  },
  {
    name: "DCGM_FI_DEV_ROW_REMAP_PENDING",
    dcgmType: "gauge",
    help: "Whether remapping of rows is pending",
    field: "remapped_rows.pending",
  },
];

/** The value of the last XID, from the kernel log rather than a query field. */
export const DCGM_XID_FIELD = {
  name: "DCGM_FI_DEV_XID_ERRORS",
  dcgmType: "gauge",
  help: "Value of the last XID error encountered.",
} as const;

/** dcgm-exporter's labels, in its order; GPU_I_* only carry values on MIG instances. */
export const DCGM_LABELS = [
  "gpu",
  "UUID",
  "pci_bus_id",
  "device",
  "modelName",
  "GPU_I_PROFILE",
  "GPU_I_ID",
  "Hostname",
] as const;
