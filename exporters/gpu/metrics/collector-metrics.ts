import { counter, gauge, plainMetric } from "./metric-def.js";
import type { MetricDef } from "./metric-def.js";

/** A MIG device: one compute instance of a GPU instance (`-L` lists these). */
const MIG_LABELS = [
  "mig_device",
  "mig_uuid",
  "mig_profile",
  "gpu_instance_id",
  "compute_instance_id",
] as const;
/**
 * A GPU instance: its memory, BAR1 and SRAM are shared by its compute instances, so they
 * are one series per GPU instance (summing per MIG device would count them once per
 * compute instance). `mig_profile` is the GPU instance's (`3g.40gb`, not `1c.3g.40gb`).
 */
const GPU_INSTANCE_LABELS = ["gpu_instance_id", "mig_profile"] as const;

/** MIG instances: the parent GPU's `gpu` and `uuid`, then the instance's own labels. */
export const MIG_METRICS = {
  memoryTotal: gauge(
    "aiwatch_gpu_mig_memory_total_bytes",
    "Framebuffer memory of a MIG GPU instance, total.",
    GPU_INSTANCE_LABELS,
  ),
  memoryReserved: gauge(
    "aiwatch_gpu_mig_memory_reserved_bytes",
    "Framebuffer memory of a MIG GPU instance, reserved.",
    GPU_INSTANCE_LABELS,
  ),
  memoryUsed: gauge(
    "aiwatch_gpu_mig_memory_used_bytes",
    "Framebuffer memory of a MIG GPU instance, used.",
    GPU_INSTANCE_LABELS,
  ),
  memoryFree: gauge(
    "aiwatch_gpu_mig_memory_free_bytes",
    "Framebuffer memory of a MIG GPU instance, free.",
    GPU_INSTANCE_LABELS,
  ),
  bar1Total: gauge(
    "aiwatch_gpu_mig_bar1_memory_total_bytes",
    "BAR1 memory of a MIG GPU instance, total.",
    GPU_INSTANCE_LABELS,
  ),
  bar1Used: gauge(
    "aiwatch_gpu_mig_bar1_memory_used_bytes",
    "BAR1 memory of a MIG GPU instance, used.",
    GPU_INSTANCE_LABELS,
  ),
  bar1Free: gauge(
    "aiwatch_gpu_mig_bar1_memory_free_bytes",
    "BAR1 memory of a MIG GPU instance, free.",
    GPU_INSTANCE_LABELS,
  ),
  multiprocessors: gauge(
    "aiwatch_gpu_mig_multiprocessors",
    "Streaming multiprocessors of a MIG device (a compute instance).",
    MIG_LABELS,
  ),
  engines: gauge(
    "aiwatch_gpu_mig_engines",
    "Engines of a MIG device (copy, encoder, decoder, ofa, jpg).",
    [...MIG_LABELS, "engine"],
  ),
  sramUncorrectedErrors: counter(
    "aiwatch_gpu_mig_sram_uncorrected_errors_total",
    "Uncorrected SRAM ECC errors of a MIG GPU instance since the driver loaded.",
    GPU_INSTANCE_LABELS,
  ),
} satisfies Record<string, MetricDef>;

/** Kernel-log XID events, keyed by the PCI address the driver names. */
export const XID_METRICS = {
  events: counter(
    "aiwatch_gpu_xid_events_total",
    "XID events of a GPU, all codes; starts at 0 once the kernel log is readable, so the first event shows as an increase.",
    ["pci_bus_id"],
  ),
  errors: counter(
    "aiwatch_gpu_xid_errors_total",
    "XID events of a GPU by XID code (created when a code first occurs).",
    ["pci_bus_id", "xid"],
  ),
  lastCode: gauge("aiwatch_gpu_xid_last_code", "Code of the GPU's most recent XID event.", [
    "pci_bus_id",
  ]),
  lastTimestamp: gauge(
    "aiwatch_gpu_xid_last_timestamp_seconds",
    "When the GPU's most recent XID event was logged (Unix time).",
    ["pci_bus_id"],
  ),
  lostRecords: plainMetric(
    "counter",
    "aiwatch_gpu_kernel_log_lost_records_total",
    "Kernel log records overwritten before the collector read them (/dev/kmsg ring buffer overruns).",
    [],
  ),
} satisfies Record<string, MetricDef>;

/** How each source (nvidia-smi, rocm-smi, kernel_log) is doing, and what it did not export. */
export const SOURCE_METRICS = {
  up: plainMetric("gauge", "aiwatch_gpu_source_up", "1 if the source's last read worked.", [
    "source",
  ]),
  errors: plainMetric(
    "counter",
    "aiwatch_gpu_source_errors_total",
    "Failed reads by source and reason.",
    ["source", "reason"],
  ),
  duration: plainMetric(
    "gauge",
    "aiwatch_gpu_source_duration_seconds",
    "Duration of the source's last read.",
    ["source"],
  ),
  notExported: plainMetric(
    "gauge",
    "aiwatch_gpu_fields_not_exported",
    "Devices whose last reading of a field was not exported, by reason: the tool printed no value (not_available, not_supported, deprecated, ...), a value that does not parse (invalid), an ambiguous or unrecognised key.",
    ["source", "field", "reason"],
  ),
  refusedFields: plainMetric(
    "gauge",
    "aiwatch_gpu_nvidia_smi_refused_fields",
    "1 for each query field the installed nvidia-smi refused; the collector stopped asking for it.",
    ["field"],
  ),
} satisfies Record<string, MetricDef>;
