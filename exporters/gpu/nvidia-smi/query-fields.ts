import { GPU_METRICS as M } from "../metrics/gpu-metrics.js";
import {
  infoField,
  metricField,
  MHZ,
  MIB,
  MICROSECONDS,
  MILLISECONDS,
  PERCENT,
} from "./field-spec.js";
import type { FieldSpec } from "./field-spec.js";

/**
 * Every `--query-gpu` field the collector asks for and where its value goes. The list
 * covers every field the drivers in `../shared/fixtures/gpu` (590 to 610, Linux and
 * Windows) answer; a test checks that no captured column is missing from it. The
 * collector asks only for the fields the installed nvidia-smi lists in
 * `--help-query-gpu`, under the name that list gives first; `names` adds the renames an
 * older driver's list would not pair (drivers before 535 only know
 * `clocks_throttle_reasons.*`).
 */
export const QUERY_FIELDS: readonly FieldSpec[] = [
  { names: ["index"], kind: "text", target: { kind: "identity", label: "gpu" } },
  { names: ["uuid", "gpu_uuid"], kind: "text", target: { kind: "identity", label: "uuid" } },
  { names: ["count"], kind: "number", target: { kind: "device_count" } },
  metricField(["timestamp"], "timestamp", M.queryTimestamp),

  // identity and versions
  infoField(["name", "gpu_name"], M.info, "name"),
  infoField(["pci.bus_id", "gpu_bus_id"], M.info, "pci_bus_id"),
  infoField(["serial", "gpu_serial"], M.info, "serial"),
  infoField(["vbios_version"], M.info, "vbios_version"),
  infoField(["driver_version"], M.info, "driver_version"),
  infoField(["kmd_version"], M.info, "kmd_version"),
  infoField(["compute_cap"], M.info, "compute_cap"),
  infoField(["hostname"], M.info, "hostname"),
  infoField(["pci.domain"], M.pciInfo, "domain"),
  infoField(["pci.bus"], M.pciInfo, "bus"),
  infoField(["pci.device"], M.pciInfo, "device"),
  infoField(["pci.baseClass"], M.pciInfo, "base_class"),
  infoField(["pci.subClass"], M.pciInfo, "sub_class"),
  infoField(["pci.device_id"], M.pciInfo, "device_id"),
  infoField(["pci.sub_device_id"], M.pciInfo, "sub_device_id"),
  infoField(["inforom.img", "inforom.image"], M.inforomInfo, "image"),
  infoField(["inforom.oem"], M.inforomInfo, "oem"),
  infoField(["inforom.ecc"], M.inforomInfo, "ecc"),
  infoField(["inforom.pwr", "inforom.power"], M.inforomInfo, "power"),
  infoField(["platform.chassis_serial_number"], M.platformInfo, "chassis_serial_number"),
  infoField(["platform.slot_number"], M.platformInfo, "slot_number"),
  infoField(["platform.tray_index"], M.platformInfo, "tray_index"),
  infoField(["platform.host_id"], M.platformInfo, "host_id"),
  infoField(["platform.peer_type"], M.platformInfo, "peer_type"),
  infoField(["platform.module_id"], M.platformInfo, "module_id"),
  infoField(["platform.gpu_fabric_guid"], M.platformInfo, "gpu_fabric_guid"),
  infoField(["fabric.clusterUuid"], M.fabricInfo, "cluster_uuid"),
  infoField(["fabric.cliqueId"], M.fabricInfo, "clique_id"),
  metricField(["inforom.checksum_validation"], "switch", M.inforomChecksumValid),

  // memory
  metricField(["memory.total"], "number", M.memoryTotal, { unit: "MiB", scale: MIB }),
  metricField(["memory.reserved"], "number", M.memoryReserved, { unit: "MiB", scale: MIB }),
  metricField(["memory.used"], "number", M.memoryUsed, { unit: "MiB", scale: MIB }),
  metricField(["memory.free"], "number", M.memoryFree, { unit: "MiB", scale: MIB }),
  metricField(["protected_memory.total"], "number", M.protectedMemoryTotal, {
    unit: "MiB",
    scale: MIB,
  }),
  metricField(["protected_memory.used"], "number", M.protectedMemoryUsed, {
    unit: "MiB",
    scale: MIB,
  }),
  metricField(["protected_memory.free"], "number", M.protectedMemoryFree, {
    unit: "MiB",
    scale: MIB,
  }),

  // utilisation and encoder
  ...["gpu", "memory", "encoder", "decoder", "jpeg", "ofa"].map((engine) =>
    metricField([`utilization.${engine}`], "number", M.utilization, {
      labels: { engine },
      unit: "%",
      scale: PERCENT,
    }),
  ),
  metricField(["encoder.stats.sessionCount"], "number", M.encoderSessions),
  metricField(["encoder.stats.averageFps"], "number", M.encoderAverageFps),
  // nvidia-smi documents averageLatency in microseconds but prints no unit.
  metricField(["encoder.stats.averageLatency"], "number", M.encoderAverageLatency, {
    scale: MICROSECONDS,
  }),

  // temperature and power
  metricField(["temperature.gpu"], "number", M.temperature, { labels: { sensor: "gpu" } }),
  metricField(["temperature.memory"], "number", M.temperature, { labels: { sensor: "memory" } }),
  metricField(["temperature.gpu.tlimit"], "number", M.temperatureLimitMargin),
  metricField(["power.management"], "switch", M.powerManagement),
  metricField(["power.draw"], "number", M.powerDraw, { unit: "W" }),
  metricField(["power.draw.average"], "number", M.powerDrawAverage, { unit: "W" }),
  metricField(["power.draw.instant"], "number", M.powerDrawInstant, { unit: "W" }),
  metricField(["power.limit"], "number", M.powerLimit, { labels: { limit: "current" }, unit: "W" }),
  metricField(["enforced.power.limit"], "number", M.powerLimit, {
    labels: { limit: "enforced" },
    unit: "W",
  }),
  metricField(["power.default_limit"], "number", M.powerLimit, {
    labels: { limit: "default" },
    unit: "W",
  }),
  metricField(["power.min_limit"], "number", M.powerLimit, { labels: { limit: "min" }, unit: "W" }),
  metricField(["power.max_limit"], "number", M.powerLimit, { labels: { limit: "max" }, unit: "W" }),
  metricField(["module.power.draw.average"], "number", M.modulePowerDrawAverage, { unit: "W" }),
  metricField(["module.power.draw.instant"], "number", M.modulePowerDrawInstant, { unit: "W" }),
  metricField(["module.power.limit"], "number", M.modulePowerLimit, {
    labels: { limit: "current" },
    unit: "W",
  }),
  metricField(["module.enforced.power.limit"], "number", M.modulePowerLimit, {
    labels: { limit: "enforced" },
    unit: "W",
  }),
  metricField(["module.power.default_limit"], "number", M.modulePowerLimit, {
    labels: { limit: "default" },
    unit: "W",
  }),
  metricField(["module.power.min_limit"], "number", M.modulePowerLimit, {
    labels: { limit: "min" },
    unit: "W",
  }),
  metricField(["module.power.max_limit"], "number", M.modulePowerLimit, {
    labels: { limit: "max" },
    unit: "W",
  }),
  ...["current", "requested", "default", "min", "max"].map((setting) =>
    metricField([`gpu.base.${setting}`], "number", M.gpuBasePower, {
      labels: { setting },
      unit: "W",
    }),
  ),
  metricField(["edpp_multiplier"], "number", M.edppMultiplier, { unit: "%", scale: PERCENT }),
  ...powerSmoothingFields(),

  // clocks
  ...["graphics", "sm", "memory", "video"].map((clock) =>
    metricField([`clocks.current.${clock}`], "number", M.clock, {
      labels: { clock },
      unit: "MHz",
      scale: MHZ,
    }),
  ),
  ...["graphics", "sm", "memory"].map((clock) =>
    metricField([`clocks.max.${clock}`], "number", M.clockMax, {
      labels: { clock },
      unit: "MHz",
      scale: MHZ,
    }),
  ),
  ...["graphics", "memory"].map((clock) =>
    metricField([`clocks.applications.${clock}`], "number", M.clockApplications, {
      labels: { clock },
      unit: "MHz",
      scale: MHZ,
    }),
  ),
  ...["graphics", "memory"].map((clock) =>
    metricField([`clocks.default_applications.${clock}`], "number", M.clockDefaultApplications, {
      labels: { clock },
      unit: "MHz",
      scale: MHZ,
    }),
  ),
  metricField(["pstate"], "pstate", M.performanceState),

  // clock event (throttle) reasons: renamed from clocks_throttle_reasons.* in driver 535
  metricField(
    ["clocks_event_reasons.supported", "clocks_throttle_reasons.supported"],
    "hex",
    M.clockEventReasonsSupported,
  ),
  metricField(
    ["clocks_event_reasons.active", "clocks_throttle_reasons.active"],
    "hex",
    M.clockEventReasonsActive,
  ),
  ...CLOCK_EVENT_REASON_FIELDS().map((reason) =>
    metricField(
      [`clocks_event_reasons.${reason}`, `clocks_throttle_reasons.${reason}`],
      "switch",
      M.clockEventReasonActive,
      { labels: { reason } },
    ),
  ),
  ...[
    "sw_power_cap",
    "sync_boost",
    "sw_thermal_slowdown",
    "hw_thermal_slowdown",
    "hw_power_brake_slowdown",
  ].map((reason) =>
    metricField([`clocks_event_reasons_counters.${reason}`], "number", M.clockEventReasonDuration, {
      labels: { reason },
      unit: "us",
      scale: MICROSECONDS,
    }),
  ),

  // PCIe, fan, modes
  ...(
    [
      ["current", "current"],
      ["gpucurrent", "gpu_current"],
      ["max", "max"],
      ["gpumax", "gpu_max"],
      ["hostmax", "host_max"],
    ] as const
  ).map(([field, link]) =>
    metricField([`pcie.link.gen.${field}`], "number", M.pcieLinkGeneration, { labels: { link } }),
  ),
  metricField(["pcie.link.width.current"], "number", M.pcieLinkWidth, {
    labels: { link: "current" },
  }),
  metricField(["pcie.link.width.max"], "number", M.pcieLinkWidth, { labels: { link: "max" } }),
  metricField(["fan.speed"], "number", M.fanSpeed, { unit: "%", scale: PERCENT }),
  metricField(["display_mode"], "switch", M.displayMode),
  metricField(["display_attached"], "switch", M.displayAttached),
  metricField(["display_active"], "switch", M.displayActive),
  metricField(["persistence_mode"], "switch", M.persistenceMode),
  metricField(["addressing_mode"], "state", M.addressingMode, { stateLabel: "mode" }),
  metricField(["accounting.mode"], "switch", M.accountingMode),
  metricField(["accounting.buffer_size"], "number", M.accountingBufferSize),
  metricField(["driver_model.current"], "state", M.driverModel, {
    labels: { kind: "current" },
    stateLabel: "model",
  }),
  metricField(["driver_model.pending"], "state", M.driverModel, {
    labels: { kind: "pending" },
    stateLabel: "model",
  }),
  metricField(["gom.current"], "state", M.operationMode, {
    labels: { kind: "current" },
    stateLabel: "mode",
  }),
  metricField(["gom.pending"], "state", M.operationMode, {
    labels: { kind: "pending" },
    stateLabel: "mode",
  }),
  metricField(["compute_mode"], "state", M.computeMode, { stateLabel: "mode" }),
  metricField(["gpu_recovery_action"], "state", M.recoveryAction, { stateLabel: "action" }),
  metricField(["mig.mode.current"], "switch", M.migMode, { labels: { kind: "current" } }),
  metricField(["mig.mode.pending"], "switch", M.migMode, { labels: { kind: "pending" } }),
  metricField(["gsp.mode.current"], "switch", M.gspMode, { labels: { kind: "current" } }),
  metricField(["gsp.mode.default"], "switch", M.gspMode, { labels: { kind: "default" } }),
  metricField(["c2c.mode"], "switch", M.c2cMode),
  metricField(["dramEncryption.mode.current"], "switch", M.dramEncryptionMode, {
    labels: { kind: "current" },
  }),
  metricField(["dramEncryption.mode.pending"], "switch", M.dramEncryptionMode, {
    labels: { kind: "pending" },
  }),
  metricField(["ecc.mode.current"], "switch", M.eccMode, { labels: { kind: "current" } }),
  metricField(["ecc.mode.pending"], "switch", M.eccMode, { labels: { kind: "pending" } }),
  metricField(["vgpu_driver_capability.heterogenous_multivGPU"], "switch", M.vgpuCapability, {
    labels: { capability: "driver_heterogeneous_multi_vgpu" },
  }),
  ...[
    "fractional_multiVgpu",
    "heterogeneous_timeSlice_profile",
    "heterogeneous_timeSlice_sizes",
    "homogeneous_placements",
    "mig_timeSlicing",
    "mig_timeSlicing_mode",
  ].map((capability) =>
    metricField([`vgpu_device_capability.${capability}`], "switch", M.vgpuCapability, {
      labels: { capability: snake(capability) },
    }),
  ),
  metricField(["bbx.time_run"], "number", M.blackBoxRunTime, { unit: "seconds" }),

  // fabric
  metricField(["fabric.state"], "state", M.fabricState, { stateLabel: "state" }),
  metricField(["fabric.status"], "state", M.fabricStatus, { stateLabel: "status" }),
  ...[
    "summary",
    "bandwidth",
    "route_recovery_in_progress",
    "route_unhealthy",
    "access_timeout_recovery",
    "incorrect_configuration",
    "partition_assigned",
  ].map((condition) =>
    metricField([`fabric.health.${condition}`], "state", M.fabricHealth, {
      labels: { condition },
      stateLabel: "value",
    }),
  ),

  // memory errors
  ...eccFields(),
  metricField(
    ["retired_pages.single_bit_ecc.count", "retired_pages.sbe"],
    "number",
    M.retiredPages,
    {
      labels: { cause: "single_bit_ecc" },
    },
  ),
  metricField(["retired_pages.double_bit.count", "retired_pages.dbe"], "number", M.retiredPages, {
    labels: { cause: "double_bit_ecc" },
  }),
  metricField(["retired_pages.pending"], "switch", M.retiredPagesPending),
  metricField(["remapped_rows.correctable"], "number", M.remappedRows, {
    labels: { error_type: "correctable" },
  }),
  metricField(["remapped_rows.uncorrectable"], "number", M.remappedRows, {
    labels: { error_type: "uncorrectable" },
  }),
  metricField(["remapped_rows.correctable_inactive"], "number", M.remappedRowsInactive, {
    labels: { error_type: "correctable" },
  }),
  metricField(["remapped_rows.uncorrectable_inactive"], "number", M.remappedRowsInactive, {
    labels: { error_type: "uncorrectable" },
  }),
  metricField(["remapped_rows.pending"], "switch", M.remappedRowsPending),
  metricField(["remapped_rows.failure"], "switch", M.remappedRowsFailure),
  ...["max", "high", "partial", "low", "none"].map((availability) =>
    metricField([`remapped_rows.histogram.${availability}`], "number", M.remappedRowsAvailability, {
      labels: { availability },
    }),
  ),
];

/** Per-reason fields of clock event reasons (the bitmask also has display_clock_setting). */
function CLOCK_EVENT_REASON_FIELDS(): readonly string[] {
  return [
    "gpu_idle",
    "applications_clocks_setting",
    "sw_power_cap",
    "hw_slowdown",
    "hw_thermal_slowdown",
    "hw_power_brake_slowdown",
    "sw_thermal_slowdown",
    "sync_boost",
  ];
}

/**
 * `ecc.errors.{corrected,uncorrected}.{volatile,aggregate}.*`: the `.total` fields feed
 * `aiwatch_gpu_ecc_errors_total`, the per-location fields its breakdown, so summing one
 * family never counts an error twice.
 */
function eccFields(): FieldSpec[] {
  const fields: FieldSpec[] = [];
  const locations = [
    "device_memory",
    "dram",
    "register_file",
    "l1_cache",
    "l2_cache",
    "texture_memory",
    "cbu",
    "sram",
  ];
  for (const errorType of ["corrected", "uncorrected"])
    for (const counterType of ["volatile", "aggregate"]) {
      const prefix = `ecc.errors.${errorType}.${counterType}`;
      fields.push(
        metricField([`${prefix}.total`], "number", M.eccErrors, {
          labels: { error_type: errorType, counter_type: counterType },
        }),
      );
      for (const location of locations)
        fields.push(
          metricField([`${prefix}.${location}`], "number", M.eccLocationErrors, {
            labels: { error_type: errorType, counter_type: counterType, location },
          }),
        );
    }
  for (const counterType of ["volatile", "aggregate"])
    for (const kind of ["parity", "secded"])
      fields.push(
        metricField(
          [`ecc.errors.uncorrected.${counterType}.sram.${kind}`],
          "number",
          M.eccSramUncorrectedErrors,
          {
            labels: { counter_type: counterType, kind },
          },
        ),
      );
  for (const source of ["l2", "sm", "mcu", "pcie", "other"])
    fields.push(
      metricField(
        [`ecc.errors.uncorrected.aggregate.sram.${source}`],
        "number",
        M.eccSramUncorrectedSourceErrors,
        {
          labels: { source },
        },
      ),
    );
  fields.push(
    metricField(
      ["ecc.errors.uncorrected.aggregate.sram.thresholdExceeded"],
      "switch",
      M.eccSramThresholdExceeded,
    ),
  );
  return fields;
}

/** `power_smoothing.*` (Blackwell and later): one family per unit, the setting as a label. */
function powerSmoothingFields(): FieldSpec[] {
  const watts = [
    "tmp_floor",
    "tmp_ceil",
    "primary_power_floor",
    "secondary_power_floor",
    "min_primary_floor_activation_offset",
    "min_primary_floor_activation_point",
    "curr_profile.secondary_power_floor",
    "curr_profile.primary_floor_act_offset",
    "admin_override.secondary_power_floor",
    "admin_override.primary_floor_act_offset",
  ];
  const percent = [
    "hw_lifetime_remaining_percent",
    "max_percent_tmp_floor",
    "min_percent_tmp_floor",
    "curr_profile.percent_tmp_floor",
    "admin_override.percent_tmp_floor",
  ];
  const milliseconds = [
    "window_multiplier",
    "curr_profile.ramp_down_hysteresis",
    "admin_override.ramp_down_hysteresis",
  ];
  const rates = [
    "curr_profile.ramp_up_rate",
    "curr_profile.ramp_down_rate",
    "admin_override.ramp_up_rate",
    "admin_override.ramp_down_rate",
  ];
  const unitless = [
    "num_preset_profiles",
    "priv_level",
    "active_profile",
    "curr_profile.primary_floor_act_window_multiplier",
    "curr_profile.primary_floor_tar_window_multiplier",
    "admin_override.primary_floor_act_window_multiplier",
    "admin_override.primary_floor_tar_window_multiplier",
  ];
  const switches = [
    "enabled",
    "delayed_power_smoothing_supported",
    "soc_power_smoothing_enabled",
    "imm_ramp_down",
  ];
  const field = (setting: string) => [`power_smoothing.${setting}`] as const;
  const labels = (setting: string) => ({ setting: setting.replace(/\./g, "_") });
  return [
    ...watts.map((s) =>
      metricField(field(s), "number", M.powerSmoothingWatts, { labels: labels(s), unit: "W" }),
    ),
    ...percent.map((s) =>
      metricField(field(s), "number", M.powerSmoothingRatio, {
        labels: labels(s),
        unit: "%",
        scale: PERCENT,
      }),
    ),
    ...milliseconds.map((s) =>
      metricField(field(s), "number", M.powerSmoothingSeconds, {
        labels: labels(s),
        unit: "ms",
        scale: MILLISECONDS,
      }),
    ),
    ...rates.map((s) =>
      metricField(field(s), "number", M.powerSmoothingRate, { labels: labels(s), unit: "W/s" }),
    ),
    ...unitless.map((s) =>
      metricField(field(s), "number", M.powerSmoothingValue, { labels: labels(s) }),
    ),
    ...switches.map((s) =>
      metricField(field(s), "switch", M.powerSmoothingEnabled, { labels: labels(s) }),
    ),
  ];
}

function snake(camel: string): string {
  return camel.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/** nvml.h's clock event reason bits; the per-reason fields and the bitmask must agree. */
export const CLOCK_EVENT_REASON_BITS: readonly (readonly [number, string])[] = [
  [0x1, "gpu_idle"],
  [0x2, "applications_clocks_setting"],
  [0x4, "sw_power_cap"],
  [0x8, "hw_slowdown"],
  [0x10, "sync_boost"],
  [0x20, "sw_thermal_slowdown"],
  [0x40, "hw_thermal_slowdown"],
  [0x80, "hw_power_brake_slowdown"],
  [0x100, "display_clock_setting"],
];

/** Field specs by every name nvidia-smi may print in a header. */
export const FIELDS_BY_NAME: ReadonlyMap<string, FieldSpec> = new Map(
  QUERY_FIELDS.flatMap((spec) => spec.names.map((name) => [name, spec] as const)),
);
