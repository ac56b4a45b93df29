import type { Logger } from "../../core/log/logger.js";
import type { CollectorHealth } from "../process/collector-health.js";
import type { DcgmMetrics, DcgmOptions } from "./dcgm/dcgm-samples.js";
import { dcgmSamples } from "./dcgm/dcgm-samples.js";
import { SOURCE_METRICS } from "./metrics/collector-metrics.js";
import type { Sample } from "./metrics/metric-def.js";
import type { Publisher } from "./metrics/publisher.js";
import { CollectionHealthTracker } from "./nvidia-gpu-exporter/collection-health.js";
import type { NvidiaSmiMetrics } from "./nvidia-gpu-exporter/nvidia-smi-metrics.js";
import { SourceStatus, notExportedSamples } from "./metrics/source-status.js";
import type { NvidiaReading, NvidiaSmiSource } from "./nvidia-smi/nvidia-smi-source.js";
import type { RocmReading } from "./rocm-smi/rocm-samples.js";
import type { RocmSmiSource } from "./rocm-smi/rocm-smi-source.js";
import type { NotExported } from "./tools/field-reading.js";
import { failureReasonOf } from "./tools/source-failure.js";
import type { FailureReason } from "./tools/source-failure.js";
import { GpuInventory } from "./xid/gpu-inventory.js";
import type { KernelLogSource } from "./xid/kernel-log-source.js";
import { XidTracker } from "./xid/xid-tracker.js";

export interface GpuSources {
  readonly nvidia?: NvidiaSmiSource;
  readonly rocm?: RocmSmiSource;
  readonly kernelLog?: KernelLogSource;
}

export interface GpuPollerOptions {
  readonly dcgm?: { readonly metrics: DcgmMetrics; readonly options: DcgmOptions };
  /** nvidia_gpu_exporter's `nvidia_smi_*` families; `processes` as nvidia_smi.processes. */
  readonly nvidiaSmi?: { readonly metrics: NvidiaSmiMetrics; readonly processes: boolean };
  readonly health: CollectorHealth;
  readonly logger: Logger;
  readonly now: () => number;
}

export const SOURCE_NAMES = {
  nvidia: "nvidia-smi",
  rocm: "rocm-smi",
  kernelLog: "kernel_log",
} as const;

/** Distinct problems logged, so a persistent one is logged once and not every poll. */
const MAX_REMEMBERED_WARNINGS = 1000;

/**
 * One poll reads every enabled source (nvidia-smi first, so kernel XID lines can be
 * matched to the GPUs it lists), then publishes all families at once. A source that
 * fails loses its series and marks the poll failed with its reason; the others publish.
 */
export class GpuPoller {
  private nvidia: NvidiaReading | undefined;
  private rocm: RocmReading | undefined;
  private readonly inventory = new GpuInventory();
  private readonly xids: XidTracker;
  private readonly status = new SourceStatus();
  private readonly warned = new Set<string>();
  private readonly nvidiaHealth = new CollectionHealthTracker();

  constructor(
    private readonly sources: GpuSources,
    private readonly publisher: Publisher,
    private readonly options: GpuPollerOptions,
  ) {
    this.xids = new XidTracker(this.inventory, options.now);
  }

  async poll(signal?: AbortSignal): Promise<void> {
    const started = this.options.now();
    const failures: FailureReason[] = [];
    const { nvidia, rocm, kernelLog } = this.sources;
    if (nvidia)
      await this.readSource(SOURCE_NAMES.nvidia, failures, async () => {
        this.nvidia = undefined;
        const readStarted = this.options.now();
        let reading: NvidiaReading;
        try {
          reading = await nvidia.read(signal);
        } catch (error) {
          this.nvidiaHealth.failed(error, this.options.now() - readStarted);
          throw error;
        }
        this.nvidiaHealth.succeeded(this.options.now() - readStarted, this.options.now());
        this.nvidia = reading;
        for (const device of reading.devices) {
          const pci = device.fields.find((f) => f.spec.names[0] === "pci.bus_id")?.reading;
          if (pci?.state === "text")
            this.inventory.remember({ gpu: device.gpu, uuid: device.uuid, pciBusId: pci.text });
        }
        this.reportRows(SOURCE_NAMES.nvidia, reading.badRows);
        return reading.problems;
      });
    if (rocm)
      await this.readSource(SOURCE_NAMES.rocm, failures, async () => {
        this.rocm = undefined;
        this.rocm = await rocm.read(signal);
        return [];
      });
    if (kernelLog)
      await this.readSource(SOURCE_NAMES.kernelLog, failures, async () => {
        const found = this.xids.add(await kernelLog.readNew(signal));
        if (found > 0)
          this.options.logger.info("XID errors in the kernel log", {
            count: found,
            source: kernelLog.name,
          });
        return [];
      });
    this.publish();
    const duration = this.options.now() - started;
    if (failures.length === 0) this.options.health.succeeded(duration);
    for (const reason of new Set(failures)) this.options.health.failed(reason, duration);
  }

  private async readSource(
    source: string,
    failures: FailureReason[],
    read: () => Promise<readonly Error[]>,
  ): Promise<void> {
    const started = this.options.now();
    try {
      const problems = await read();
      const duration = this.options.now() - started;
      if (problems.length === 0) this.status.succeeded(source, duration);
      for (const problem of problems) {
        const reason = failureReasonOf(problem);
        failures.push(reason);
        this.status.failed(source, reason, duration);
        this.warnOnce(`${source} ${problem.message}`, { source, reason, error: problem.message });
      }
    } catch (error) {
      const reason = failureReasonOf(error);
      failures.push(reason);
      this.status.failed(source, reason, this.options.now() - started);
      this.warnOnce(`${source} ${String(error)}`, {
        source,
        reason,
        error: (error as Error).message,
      });
    }
  }

  private publish(): void {
    const notExported: NotExported[] = [
      ...(this.nvidia?.notExported ?? []),
      ...(this.rocm?.notExported ?? []),
    ];
    this.reportFields(notExported);
    const samples: Sample[] = [
      ...(this.nvidia?.samples ?? []),
      ...(this.rocm?.samples ?? []),
      ...(this.sources.kernelLog ? this.xids.samples() : []),
      ...this.status.samples(),
      ...notExportedSamples(notExported),
      ...(this.sources.nvidia?.refusedFields() ?? []).map((field) => ({
        def: SOURCE_METRICS.refusedFields,
        labels: { field },
        value: 1,
      })),
    ];
    const dcgm = this.options.dcgm;
    if (dcgm && this.nvidia)
      samples.push(
        ...dcgmSamples(
          dcgm.metrics,
          this.nvidia.devices,
          this.nvidia.mig,
          this.sources.kernelLog ? this.xids.lastXids() : undefined,
          dcgm.options,
        ),
      );
    const nvidiaSmi = this.options.nvidiaSmi;
    if (nvidiaSmi && this.sources.nvidia)
      samples.push(
        ...nvidiaSmi.metrics.samples({
          devices: this.nvidia?.devices,
          computeApps: this.nvidia?.computeApps,
          processesAsked: nvidiaSmi.processes,
          xids: this.sources.kernelLog && this.xids.lastXids() ? this.xids.counts() : undefined,
          cudaVersion: this.nvidia?.cudaVersion ?? "",
          health: this.nvidiaHealth.current(),
        }),
      );
    this.publisher.publish(samples);
  }

  /** Unreadable values and unknown fields count as refused input and are logged once. */
  private reportFields(entries: readonly NotExported[]): void {
    const invalid = entries.filter((e) => e.reason === "invalid");
    const unrecognized = entries.filter((e) => e.reason === "unrecognized");
    if (invalid.length > 0) this.options.health.rejected("invalid_value", invalid.length);
    if (unrecognized.length > 0)
      this.options.health.rejected("unrecognized_field", unrecognized.length);
    for (const e of [...invalid, ...unrecognized])
      this.warnOnce(`${e.source} ${e.field} ${e.reason}`, {
        source: e.source,
        field: e.field,
        reason: e.reason,
        error:
          e.reason === "invalid"
            ? "value does not parse as the field's type"
            : "field not known to the collector",
      });
  }

  private reportRows(source: string, rows: readonly string[]): void {
    if (rows.length === 0) return;
    this.options.health.rejected("invalid_row", rows.length);
    for (const row of rows)
      this.warnOnce(`${source} ${row}`, { source, error: `unreadable output ${row}` });
  }

  private warnOnce(key: string, fields: Record<string, unknown>): void {
    if (this.warned.has(key)) return;
    if (this.warned.size < MAX_REMEMBERED_WARNINGS) this.warned.add(key);
    this.options.logger.warn("GPU source problem", fields);
  }
}
