import { hostname, uptime } from "node:os";
import { durationMs } from "../../core/config/zod-fields.js";
import type { Collector, CollectorContext, CollectorDefinition } from "../collector.js";
import { dcgmMetrics } from "./dcgm/dcgm-samples.js";
import { gpuConfigSchema, validateGpuConfig } from "./gpu-config.js";
import type { GpuConfig } from "./gpu-config.js";
import { GpuPoller } from "./gpu-poller.js";
import type { GpuSources } from "./gpu-poller.js";
import { MIG_METRICS, SOURCE_METRICS, XID_METRICS } from "./metrics/collector-metrics.js";
import { GPU_METRICS } from "./metrics/gpu-metrics.js";
import type { MetricDef } from "./metrics/metric-def.js";
import { Publisher } from "./metrics/publisher.js";
import { NvidiaSmiSource } from "./nvidia-smi/nvidia-smi-source.js";
import {
  NVIDIA_SMI_FIXED_METRICS,
  NvidiaSmiMetrics,
} from "./nvidia-gpu-exporter/nvidia-smi-metrics.js";
import { RocmSmiSource } from "./rocm-smi/rocm-smi-source.js";
import { AutoKernelLogSource } from "./xid/auto-kernel-log-source.js";
import { JournalctlSource } from "./xid/journalctl-source.js";
import type { KernelLogSource } from "./xid/kernel-log-source.js";
import { KmsgSource } from "./xid/kmsg-source.js";

/** What the collector reads from the machine, replaceable in tests. */
export interface GpuCollectorDeps {
  /** The kernel log; default from `xid.source`. */
  readonly kernelLog?: (config: GpuConfig) => KernelLogSource;
  readonly hostname?: () => string;
  /** Boot time in ms since the epoch, to date /dev/kmsg records. */
  readonly bootTimeMs?: () => number;
}

/**
 * One `gpu` collector reads nvidia-smi, rocm-smi and the kernel log together: a kernel
 * XID line names only a PCI address, and nvidia-smi's reading of that address gives it
 * the `gpu` and `uuid` labels (and dcgm-exporter's labels in dcgm mode). Each source
 * reports its own health in `aiwatch_gpu_source_up{source}`; the collector's `up` is 1
 * only when all of them worked.
 */
export function gpuCollector(
  deps: GpuCollectorDeps = {},
): CollectorDefinition<typeof gpuConfigSchema> {
  return {
    type: "gpu",
    configSchema: gpuConfigSchema,
    acceptsData: false,
    validate: validateGpuConfig,
    create: (context) => createGpuCollector(context, deps),
  };
}

function createGpuCollector(
  context: CollectorContext<GpuConfig>,
  deps: GpuCollectorDeps,
): Collector {
  const config = context.config;
  const timeoutMs = durationMs(config.timeout);
  const intervalMs = durationMs(config.interval);
  const sources: GpuSources = {
    nvidia: config.nvidia_smi.enabled
      ? new NvidiaSmiSource({
          command: config.nvidia_smi.path,
          timeoutMs,
          mig: config.nvidia_smi.mig,
          processes: config.nvidia_smi.processes,
          everyListedField: config.nvidia_gpu_exporter.enabled,
        })
      : undefined,
    rocm: config.rocm_smi.enabled
      ? new RocmSmiSource({
          command: config.rocm_smi.path,
          timeoutMs,
          processes: config.rocm_smi.processes,
        })
      : undefined,
    kernelLog: config.xid.enabled ? (deps.kernelLog ?? defaultKernelLog(deps))(config) : undefined,
  };
  const dcgm =
    config.dcgm.enabled && config.nvidia_smi.enabled
      ? {
          metrics: dcgmMetrics(config.dcgm.model_name_label),
          options: {
            hostname: config.dcgm.hostname ?? (deps.hostname ?? hostname)(),
            modelNameLabel: config.dcgm.model_name_label,
          },
        }
      : undefined;
  const nvidiaSmi =
    config.nvidia_gpu_exporter.enabled && config.nvidia_smi.enabled
      ? { metrics: new NvidiaSmiMetrics(), processes: config.nvidia_smi.processes }
      : undefined;
  const defs: MetricDef[] = [
    ...Object.values(GPU_METRICS),
    ...Object.values(MIG_METRICS),
    ...Object.values(XID_METRICS),
    ...Object.values(SOURCE_METRICS),
    ...(dcgm?.metrics.all ?? []),
    ...(nvidiaSmi ? NVIDIA_SMI_FIXED_METRICS : []),
  ];
  const poller = new GpuPoller(sources, new Publisher(context.families, defs), {
    dcgm,
    nvidiaSmi,
    health: context.health,
    logger: context.logger,
    now: context.now,
  });
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const loop = async (): Promise<void> => {
    if (stopped) return;
    running = poller.poll(abort.signal).catch((error: unknown) => {
      context.logger.error("GPU poll failed unexpectedly", { error });
      context.health.failed("internal_error");
    });
    await running;
    if (!stopped) timer = setTimeout(() => void loop(), intervalMs);
  };
  return {
    start: () => {
      void loop();
      return Promise.resolve();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await running;
      sources.kernelLog?.close();
    },
  };
}

function defaultKernelLog(deps: GpuCollectorDeps): (config: GpuConfig) => KernelLogSource {
  return (config) => {
    const bootTime = deps.bootTimeMs ?? (() => Date.now() - uptime() * 1000);
    const kmsg = new KmsgSource(config.xid.kmsg_path, bootTime);
    const journalctl = new JournalctlSource({
      command: config.xid.journalctl_path,
      timeoutMs: durationMs(config.timeout),
    });
    if (config.xid.source === "kmsg") return kmsg;
    if (config.xid.source === "journalctl") return journalctl;
    return new AutoKernelLogSource([kmsg, journalctl]);
  };
}
