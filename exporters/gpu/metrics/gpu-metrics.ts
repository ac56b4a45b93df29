import { counter, gauge, plainMetric } from "./metric-def.js";
import type { MetricDef } from "./metric-def.js";

/**
 * Every `aiwatch_gpu_*` family, in exposition order. NVIDIA (nvidia-smi) and AMD
 * (rocm-smi) readings of the same quantity share a family; vendor-specific readings get
 * their own. Base units throughout (bytes, hertz, watts, celsius, seconds, ratios 0-1).
 */
export const GPU_METRICS = {
  // ---- identity -------------------------------------------------------------------
  info: gauge(
    "aiwatch_gpu_info",
    "Constant 1, labelled with the GPU's identity as the driver reports it.",
    [
      "vendor",
      "name",
      "pci_bus_id",
      "serial",
      "vbios_version",
      "driver_version",
      "kmd_version",
      "compute_cap",
      "hostname",
    ],
  ),
  pciInfo: gauge("aiwatch_gpu_pci_info", "Constant 1, labelled with the GPU's PCI identifiers.", [
    "domain",
    "bus",
    "device",
    "base_class",
    "sub_class",
    "device_id",
    "sub_device_id",
    "revision",
  ]),
  inforomInfo: gauge(
    "aiwatch_gpu_inforom_info",
    "Constant 1, labelled with the InfoROM versions.",
    ["image", "oem", "ecc", "power"],
  ),
  platformInfo: gauge(
    "aiwatch_gpu_platform_info",
    "Constant 1, labelled with the GPU's platform placement (chassis, slot, tray, module).",
    [
      "chassis_serial_number",
      "slot_number",
      "tray_index",
      "host_id",
      "peer_type",
      "module_id",
      "gpu_fabric_guid",
    ],
  ),
  fabricInfo: gauge(
    "aiwatch_gpu_fabric_info",
    "Constant 1, labelled with the GPU's NVLink fabric identity.",
    ["cluster_uuid", "clique_id"],
  ),
  amdInfo: gauge(
    "aiwatch_gpu_amd_info",
    "Constant 1, labelled with what rocm-smi reports about an AMD card.",
    [
      "card_series",
      "card_model",
      "card_vendor",
      "card_sku",
      "guid",
      "node_id",
      "gfx_version",
      "memory_vendor",
    ],
  ),
  firmwareInfo: gauge(
    "aiwatch_gpu_firmware_info",
    "Constant 1 per firmware block, labelled with its version.",
    ["firmware", "version"],
  ),
  devices: plainMetric("gauge", "aiwatch_gpu_devices", "GPUs the source reports.", ["source"]),
  queryTimestamp: gauge(
    "aiwatch_gpu_query_timestamp_seconds",
    "When nvidia-smi read the GPU, by its own clock (Unix time).",
  ),

  // ---- memory ---------------------------------------------------------------------
  memoryTotal: gauge("aiwatch_gpu_memory_total_bytes", "Total framebuffer (VRAM) memory."),
  memoryReserved: gauge(
    "aiwatch_gpu_memory_reserved_bytes",
    "Framebuffer memory reserved by the driver and firmware.",
  ),
  memoryUsed: gauge("aiwatch_gpu_memory_used_bytes", "Framebuffer memory in use."),
  memoryFree: gauge("aiwatch_gpu_memory_free_bytes", "Framebuffer memory free."),
  memoryAllocatedRatio: gauge(
    "aiwatch_gpu_memory_allocated_ratio",
    "Share of VRAM allocated, as rocm-smi reports it.",
  ),
  memoryPoolTotal: gauge(
    "aiwatch_gpu_memory_pool_total_bytes",
    "Size of a memory pool other than VRAM (AMD: vis_vram, gtt).",
    ["pool"],
  ),
  memoryPoolUsed: gauge(
    "aiwatch_gpu_memory_pool_used_bytes",
    "Use of a memory pool other than VRAM (AMD: vis_vram, gtt).",
    ["pool"],
  ),
  memoryActivity: gauge(
    "aiwatch_gpu_memory_activity",
    "rocm-smi's accumulated memory activity counter, as reported (unitless).",
  ),
  memoryBandwidthAverage: gauge(
    "aiwatch_gpu_memory_bandwidth_average",
    "rocm-smi's average memory bandwidth reading, as reported (unitless).",
  ),
  protectedMemoryTotal: gauge(
    "aiwatch_gpu_protected_memory_total_bytes",
    "Confidential-computing protected memory, total.",
  ),
  protectedMemoryUsed: gauge(
    "aiwatch_gpu_protected_memory_used_bytes",
    "Confidential-computing protected memory, used.",
  ),
  protectedMemoryFree: gauge(
    "aiwatch_gpu_protected_memory_free_bytes",
    "Confidential-computing protected memory, free.",
  ),

  // ---- utilisation ----------------------------------------------------------------
  utilization: gauge(
    "aiwatch_gpu_utilization_ratio",
    "Share of the sample period an engine was busy (gpu: kernels running; memory: memory controller busy).",
    ["engine"],
  ),
  encoderSessions: gauge("aiwatch_gpu_encoder_sessions", "Active encoder sessions."),
  encoderAverageFps: gauge(
    "aiwatch_gpu_encoder_average_fps",
    "Average frames per second over the encoder sessions.",
  ),
  encoderAverageLatency: gauge(
    "aiwatch_gpu_encoder_average_latency_seconds",
    "Average encode latency.",
  ),

  // ---- temperature, power, energy -------------------------------------------------
  temperature: gauge(
    "aiwatch_gpu_temperature_celsius",
    "Temperature of a sensor (NVIDIA: gpu, memory; AMD: edge, junction, memory, hbm_N).",
    ["sensor"],
  ),
  temperatureLimitMargin: gauge(
    "aiwatch_gpu_temperature_limit_margin_celsius",
    "Degrees left before the GPU reaches its thermal slowdown limit (nvidia-smi's T.Limit).",
  ),
  powerDraw: gauge(
    "aiwatch_gpu_power_draw_watts",
    "Power draw (NVIDIA: power.draw; AMD: average graphics package power).",
  ),
  powerDrawAverage: gauge(
    "aiwatch_gpu_power_draw_average_watts",
    "Power draw averaged over the driver's window (about 1 s).",
  ),
  powerDrawInstant: gauge("aiwatch_gpu_power_draw_instant_watts", "Instantaneous power draw."),
  powerLimit: gauge(
    "aiwatch_gpu_power_limit_watts",
    "Power limits: current (software cap), enforced (the lowest of all limits), default, min, max.",
    ["limit"],
  ),
  modulePowerDrawAverage: gauge(
    "aiwatch_gpu_module_power_draw_average_watts",
    "Module (GPU + CPU + memory) power draw, averaged.",
  ),
  modulePowerDrawInstant: gauge(
    "aiwatch_gpu_module_power_draw_instant_watts",
    "Module power draw, instantaneous.",
  ),
  modulePowerLimit: gauge("aiwatch_gpu_module_power_limit_watts", "Module power limits.", [
    "limit",
  ]),
  gpuBasePower: gauge(
    "aiwatch_gpu_base_power_watts",
    "GPU base power settings reported by nvidia-smi's gpu.base fields.",
    ["setting"],
  ),
  powerManagement: gauge(
    "aiwatch_gpu_power_management_enabled",
    "1 if power management is enabled.",
  ),
  powerSmoothingWatts: gauge(
    "aiwatch_gpu_power_smoothing_watts",
    "Power smoothing settings in watts.",
    ["setting"],
  ),
  powerSmoothingRatio: gauge(
    "aiwatch_gpu_power_smoothing_ratio",
    "Power smoothing settings given as percentages.",
    ["setting"],
  ),
  powerSmoothingSeconds: gauge(
    "aiwatch_gpu_power_smoothing_seconds",
    "Power smoothing time settings.",
    ["setting"],
  ),
  powerSmoothingRate: gauge(
    "aiwatch_gpu_power_smoothing_watts_per_second",
    "Power smoothing ramp rates.",
    ["setting"],
  ),
  powerSmoothingValue: gauge(
    "aiwatch_gpu_power_smoothing_value",
    "Unitless power smoothing settings (multipliers, profile numbers).",
    ["setting"],
  ),
  powerSmoothingEnabled: gauge(
    "aiwatch_gpu_power_smoothing_enabled",
    "Power smoothing switches, 1 when on or supported.",
    ["setting"],
  ),
  edppMultiplier: gauge("aiwatch_gpu_edpp_multiplier_ratio", "EDPp multiplier."),
  voltage: gauge("aiwatch_gpu_voltage_volts", "GPU core voltage."),

  // ---- clocks and what limits them --------------------------------------------------
  clock: gauge("aiwatch_gpu_clock_hertz", "Current clock frequency.", ["clock"]),
  clockMax: gauge("aiwatch_gpu_clock_max_hertz", "Maximum clock frequency.", ["clock"]),
  clockApplications: gauge("aiwatch_gpu_clock_applications_hertz", "Applications clock setting.", [
    "clock",
  ]),
  clockDefaultApplications: gauge(
    "aiwatch_gpu_clock_default_applications_hertz",
    "Default applications clock setting.",
    ["clock"],
  ),
  clockLevel: gauge("aiwatch_gpu_clock_level", "Current DPM level of a clock (AMD).", ["clock"]),
  performanceState: gauge(
    "aiwatch_gpu_performance_state",
    "Performance state: 0 (P0, maximum performance) to 15 (P15, minimum).",
  ),
  performanceLevel: gauge(
    "aiwatch_gpu_performance_level",
    "Constant 1, labelled with the AMD performance level (auto, high, low, manual, ...).",
    ["level"],
  ),
  overdrive: gauge("aiwatch_gpu_overdrive_ratio", "AMD OverDrive setting.", ["domain"]),
  clockEventReasonsSupported: gauge(
    "aiwatch_gpu_clock_event_reasons_supported",
    "Bitmask of clock event (throttle) reasons the GPU supports, as nvml.h defines the bits.",
  ),
  clockEventReasonsActive: gauge(
    "aiwatch_gpu_clock_event_reasons_active",
    "Bitmask of active clock event (throttle) reasons, as nvml.h defines the bits.",
  ),
  clockEventReasonActive: gauge(
    "aiwatch_gpu_clock_event_reason_active",
    "1 while a clock event (throttle) reason holds the clocks down.",
    ["reason"],
  ),
  clockEventReasonDuration: counter(
    "aiwatch_gpu_clock_event_reason_duration_seconds_total",
    "Time clocks were held down by a clock event (throttle) reason since the driver loaded.",
    ["reason"],
  ),

  // ---- PCIe, fans, modes ------------------------------------------------------------
  pcieLinkGeneration: gauge(
    "aiwatch_gpu_pcie_link_generation",
    "PCIe link generation (current, gpu_current, max, gpu_max, host_max).",
    ["link"],
  ),
  pcieLinkWidth: gauge(
    "aiwatch_gpu_pcie_link_width_lanes",
    "PCIe link width in lanes (current, max).",
    ["link"],
  ),
  pcieReplays: counter("aiwatch_gpu_pcie_replays_total", "PCIe replays (retries)."),
  fanSpeed: gauge("aiwatch_gpu_fan_speed_ratio", "Fan speed as a share of its maximum."),
  fanSpeedHertz: gauge("aiwatch_gpu_fan_speed_hertz", "Fan rotation speed (RPM / 60)."),
  fanSpeedLevel: gauge("aiwatch_gpu_fan_speed_level", "AMD fan PWM level (0-255)."),
  displayMode: gauge(
    "aiwatch_gpu_display_mode_enabled",
    "1 if a display can be initialised on the GPU.",
  ),
  displayAttached: gauge("aiwatch_gpu_display_attached", "1 if a display is attached."),
  displayActive: gauge("aiwatch_gpu_display_active", "1 if a display is initialised on the GPU."),
  persistenceMode: gauge("aiwatch_gpu_persistence_mode_enabled", "1 if persistence mode is on."),
  addressingMode: gauge(
    "aiwatch_gpu_addressing_mode",
    "Constant 1, labelled with the addressing mode (hmm, ats, none).",
    ["mode"],
  ),
  accountingMode: gauge("aiwatch_gpu_accounting_mode_enabled", "1 if process accounting is on."),
  accountingBufferSize: gauge(
    "aiwatch_gpu_accounting_buffer_size",
    "Processes the accounting buffer can hold.",
  ),
  driverModel: gauge(
    "aiwatch_gpu_driver_model",
    "Constant 1, labelled with the Windows driver model (current, pending).",
    ["kind", "model"],
  ),
  operationMode: gauge(
    "aiwatch_gpu_operation_mode",
    "Constant 1, labelled with the GPU operation mode (current, pending).",
    ["kind", "mode"],
  ),
  computeMode: gauge("aiwatch_gpu_compute_mode", "Constant 1, labelled with the compute mode.", [
    "mode",
  ]),
  recoveryAction: gauge(
    "aiwatch_gpu_recovery_action",
    "Constant 1, labelled with the recovery action the driver asks for (none, reset, reboot, drain_p2p, drain_and_reset).",
    ["action"],
  ),
  migMode: gauge("aiwatch_gpu_mig_mode_enabled", "1 if MIG mode is on (current, pending).", [
    "kind",
  ]),
  gspMode: gauge(
    "aiwatch_gpu_gsp_mode_enabled",
    "1 if GSP firmware mode is on (current, default).",
    ["kind"],
  ),
  c2cMode: gauge("aiwatch_gpu_c2c_mode_enabled", "1 if chip-to-chip (C2C) mode is on."),
  dramEncryptionMode: gauge(
    "aiwatch_gpu_dram_encryption_enabled",
    "1 if DRAM encryption is on (current, pending).",
    ["kind"],
  ),
  eccMode: gauge("aiwatch_gpu_ecc_mode_enabled", "1 if ECC is on (current, pending).", ["kind"]),
  vgpuCapability: gauge(
    "aiwatch_gpu_vgpu_capability",
    "1 if the driver or GPU has a vGPU capability.",
    ["capability"],
  ),
  inforomChecksumValid: gauge(
    "aiwatch_gpu_inforom_checksum_valid",
    "1 if the InfoROM checksum validates.",
  ),
  numaNode: gauge("aiwatch_gpu_numa_node", "NUMA node of the GPU (AMD)."),
  numaAffinity: gauge(
    "aiwatch_gpu_numa_affinity",
    "NUMA affinity of the GPU as rocm-smi reports it (-1: none).",
  ),
  blackBoxRunTime: counter(
    "aiwatch_gpu_bbx_run_time_seconds_total",
    "Run time the InfoROM black box recorder has logged.",
  ),

  // ---- fabric ---------------------------------------------------------------------
  fabricState: gauge(
    "aiwatch_gpu_fabric_state",
    "Constant 1, labelled with the NVLink fabric registration state.",
    ["state"],
  ),
  fabricStatus: gauge(
    "aiwatch_gpu_fabric_status",
    "Constant 1, labelled with the NVLink fabric registration status.",
    ["status"],
  ),
  fabricHealth: gauge(
    "aiwatch_gpu_fabric_health",
    "Constant 1, labelled with the value of one NVLink fabric health condition.",
    ["condition", "value"],
  ),
  topologyWeight: gauge(
    "aiwatch_gpu_topology_link_weight",
    "Link weight between two GPUs (AMD topology).",
    ["peer_gpu"],
  ),
  topologyHops: gauge("aiwatch_gpu_topology_link_hops", "Hops between two GPUs (AMD topology).", [
    "peer_gpu",
  ]),
  topologyLinkType: gauge(
    "aiwatch_gpu_topology_link_type",
    "Constant 1, labelled with the link type between two GPUs.",
    ["peer_gpu", "type"],
  ),

  // ---- memory errors --------------------------------------------------------------
  eccErrors: counter(
    "aiwatch_gpu_ecc_errors_total",
    "ECC errors, all locations. counter_type volatile: since the driver loaded; aggregate: lifetime.",
    ["error_type", "counter_type"],
  ),
  eccLocationErrors: counter(
    "aiwatch_gpu_ecc_location_errors_total",
    "ECC errors by memory location (a breakdown of aiwatch_gpu_ecc_errors_total).",
    ["error_type", "counter_type", "location"],
  ),
  eccSramUncorrectedErrors: counter(
    "aiwatch_gpu_ecc_sram_uncorrected_errors_total",
    "Uncorrected SRAM ECC errors by detection kind (parity, secded).",
    ["counter_type", "kind"],
  ),
  eccSramUncorrectedSourceErrors: counter(
    "aiwatch_gpu_ecc_sram_uncorrected_source_errors_total",
    "Lifetime uncorrected SRAM ECC errors by the unit they came from.",
    ["source"],
  ),
  eccSramThresholdExceeded: gauge(
    "aiwatch_gpu_ecc_sram_threshold_exceeded",
    "1 if the SRAM uncorrected error count crossed the threshold that calls for a GPU replacement.",
  ),
  retiredPages: counter(
    "aiwatch_gpu_retired_pages_total",
    "Framebuffer pages retired, by cause (single_bit_ecc, double_bit_ecc).",
    ["cause"],
  ),
  retiredPagesPending: gauge(
    "aiwatch_gpu_retired_pages_pending",
    "1 if a page retirement waits for the next driver reload.",
  ),
  remappedRows: counter(
    "aiwatch_gpu_remapped_rows_total",
    "Memory rows remapped, by the error that caused it.",
    ["error_type"],
  ),
  remappedRowsInactive: counter(
    "aiwatch_gpu_remapped_rows_inactive_total",
    "Remapped memory rows not yet active, by the error that caused it.",
    ["error_type"],
  ),
  remappedRowsPending: gauge(
    "aiwatch_gpu_remapped_rows_pending",
    "1 if a row remapping waits for a GPU reset.",
  ),
  remappedRowsFailure: gauge(
    "aiwatch_gpu_remapped_rows_failure",
    "1 if a row remapping failed: the GPU needs replacing.",
  ),
  remappedRowsAvailability: gauge(
    "aiwatch_gpu_remapped_rows_banks",
    "Memory banks by how many spare rows they have left (max, high, partial, low, none).",
    ["availability"],
  ),

  // ---- processes (opt-in) ---------------------------------------------------------
  processMemoryUsed: gauge("aiwatch_gpu_process_memory_used_bytes", "GPU memory a process uses.", [
    "pid",
    "process_name",
  ]),
} satisfies Record<string, MetricDef>;
