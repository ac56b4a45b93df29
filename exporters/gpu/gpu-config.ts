import { z } from "zod";
import { durationField, durationMs } from "../../core/config/zod-fields.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import type { SourceDocument } from "../../core/yaml/source-document.js";

const NVIDIA_DEFAULTS = { enabled: true, path: "nvidia-smi", mig: true, processes: false };
const ROCM_DEFAULTS = { enabled: false, path: "rocm-smi", processes: false };
const XID_DEFAULTS = {
  enabled: true,
  source: "auto" as const,
  kmsg_path: "/dev/kmsg",
  journalctl_path: "journalctl",
};
const DCGM_DEFAULTS = { enabled: false, model_name_label: false };
const NVIDIA_GPU_EXPORTER_DEFAULTS = { enabled: false };

/** `collectors.gpu` in exporter.yaml. */
export const gpuConfigSchema = z
  .strictObject({
    interval: durationField()
      .default("15s")
      .describe("How often the tools are run; a scrape only renders the last reading."),
    timeout: durationField()
      .default("5s")
      .describe("Longest a tool may run before it is killed; keep it under the scrape timeout."),
    nvidia_smi: z
      .strictObject({
        enabled: z.boolean().default(NVIDIA_DEFAULTS.enabled),
        path: z
          .string()
          .min(1)
          .default(NVIDIA_DEFAULTS.path)
          .describe("nvidia-smi executable (name on PATH or path)."),
        mig: z
          .boolean()
          .default(NVIDIA_DEFAULTS.mig)
          .describe("Read MIG instances when a GPU has MIG mode on."),
        processes: z
          .boolean()
          .default(NVIDIA_DEFAULTS.processes)
          .describe("Per-process GPU memory (one series per process: mind the cardinality)."),
      })
      .default(NVIDIA_DEFAULTS),
    rocm_smi: z
      .strictObject({
        enabled: z.boolean().default(ROCM_DEFAULTS.enabled),
        path: z.string().min(1).default(ROCM_DEFAULTS.path),
        processes: z.boolean().default(ROCM_DEFAULTS.processes),
      })
      .default(ROCM_DEFAULTS),
    xid: z
      .strictObject({
        enabled: z.boolean().default(XID_DEFAULTS.enabled),
        source: z
          .enum(["auto", "kmsg", "journalctl"])
          .default(XID_DEFAULTS.source)
          .describe(
            "Where kernel messages are read: /dev/kmsg, journalctl -k, or the first that works.",
          ),
        kmsg_path: z.string().min(1).default(XID_DEFAULTS.kmsg_path),
        journalctl_path: z.string().min(1).default(XID_DEFAULTS.journalctl_path),
      })
      .default(XID_DEFAULTS),
    dcgm: z
      .strictObject({
        enabled: z
          .boolean()
          .default(DCGM_DEFAULTS.enabled)
          .describe("Also expose dcgm-exporter's DCGM_FI_* names and labels for NVIDIA GPUs."),
        hostname: z
          .string()
          .min(1)
          .optional()
          .describe("The Hostname label; default: this machine's host name."),
        model_name_label: z
          .boolean()
          .default(DCGM_DEFAULTS.model_name_label)
          .describe(
            "Add dcgm-exporter's modelName label (promtool's linter flags it as camelCase).",
          ),
      })
      .default(DCGM_DEFAULTS),
    nvidia_gpu_exporter: z
      .strictObject({
        enabled: z
          .boolean()
          .default(NVIDIA_GPU_EXPORTER_DEFAULTS.enabled)
          .describe(
            "Also expose utkuozdemir/nvidia_gpu_exporter's nvidia_smi_* names and labels for NVIDIA GPUs (every field nvidia-smi lists is queried).",
          ),
      })
      .default(NVIDIA_GPU_EXPORTER_DEFAULTS),
  })
  .describe("GPU state from nvidia-smi and rocm-smi, XID errors from the kernel log.");

export type GpuConfig = z.output<typeof gpuConfigSchema>;

/** A tool that outlives the poll interval would make polls overlap. */
export function validateGpuConfig(
  config: GpuConfig,
  document: SourceDocument,
  path: readonly (string | number)[],
): Diagnostic[] {
  if (durationMs(config.timeout) < durationMs(config.interval)) return [];
  const at = [...path, "timeout"];
  return [
    {
      code: "invalid-value",
      severity: "error",
      message: `timeout ${config.timeout} must be shorter than interval ${config.interval}`,
      file: document.file,
      position: document.positionOf(at),
      path: at,
    },
  ];
}
