import type { Monitor } from "../../spec/model/monitor.js";
import { HOSTNAME_LABELS } from "../../spec/presets/gpu-metrics.js";
import type { GpuSource, HostnameLabel } from "../../spec/presets/gpu-metrics.js";

/** Which GPU exporters the spec's GPU monitors read, so the GPU dashboard reads the same. */
export interface GpuSources {
  readonly aiwatch: boolean;
  /** dcgm-exporter, with the label its hostname is stored under. */
  readonly dcgm: { readonly hostnameLabel: HostnameLabel } | undefined;
}

/**
 * From the metrics the monitors' signals read: `DCGM_FI_*` is dcgm-exporter, anything
 * else (aiwatch_gpu_*, or a GPU monitor on other names) aiwatch's collector. A spec with
 * only dcgm monitors gets dcgm panels only; a mixed one gets both.
 */
export function gpuSourcesOf(monitors: readonly Monitor[]): GpuSources {
  const sources = new Set<GpuSource>(
    monitors.map((m) => (/\bDCGM_FI_/.test(m.signal.expr) ? "dcgm" : "aiwatch")),
  );
  const dcgmMonitors = monitors.filter((m) => /\bDCGM_FI_/.test(m.signal.expr));
  // The dcgm presets aggregate by [Hostname or hostname, gpu, UUID].
  const hostnameLabel =
    HOSTNAME_LABELS.find((label) =>
      dcgmMonitors.some((m) => (m.by ?? []).includes(label) || m.signal.expr.includes(label)),
    ) ?? "Hostname";
  return {
    aiwatch: sources.has("aiwatch") || sources.size === 0,
    dcgm: sources.has("dcgm") ? { hostnameLabel } : undefined,
  };
}
