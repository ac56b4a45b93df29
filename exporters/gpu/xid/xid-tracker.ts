import { XID_METRICS } from "../metrics/collector-metrics.js";
import type { Sample } from "../metrics/metric-def.js";
import type { GpuInventory } from "./gpu-inventory.js";
import type { KernelLogBatch } from "./kernel-log-source.js";
import { parseKernelMessage } from "./parse-kernel-message.js";

interface GpuXids {
  /** As the kernel printed it, for GPUs nvidia-smi never listed. */
  readonly pciAddress: string;
  total: number;
  readonly byCode: Map<number, { count: number; lastTimeSeconds: number }>;
  lastCode: number;
  lastTimeSeconds: number | undefined;
}

/** One XID code of one GPU: how often, and when last (for nvidia_gpu_exporter's names). */
export interface XidCount {
  readonly uuid: string;
  readonly code: number;
  readonly count: number;
  readonly lastTimeSeconds: number;
}

/** The last XID of a GPU, for dcgm-exporter's DCGM_FI_DEV_XID_ERRORS. */
export interface LastXid {
  readonly gpu: string;
  readonly uuid: string;
  readonly pciBusId: string;
  readonly code: number;
}

/**
 * XID counts per GPU and code, from the kernel messages the collector reads. Counting
 * starts with what the kernel log still holds from this boot, so a restart of the
 * exporter shows the same totals instead of an increase.
 */
export class XidTracker {
  private readonly gpus = new Map<string, GpuXids>();
  private readonly announcedUuid = new Map<string, string>();
  private lost = 0;
  private readable = false;

  constructor(
    private readonly inventory: GpuInventory,
    private readonly now: () => number,
  ) {}

  /** Counts the XID lines of a batch; returns how many it found. */
  add(batch: KernelLogBatch): number {
    this.readable = true;
    this.lost += batch.lost;
    let found = 0;
    for (const message of batch.messages) {
      const parsed = parseKernelMessage(message.text);
      if (parsed?.kind === "gpu") this.announcedUuid.set(parsed.pciKey, parsed.uuid);
      if (parsed?.kind !== "xid") continue;
      found++;
      const gpu = this.gpus.get(parsed.pciKey) ?? this.created(parsed.pciKey, parsed.pciAddress);
      const at = (message.timeMs ?? this.now()) / 1000;
      gpu.total++;
      gpu.byCode.set(parsed.xid, {
        count: (gpu.byCode.get(parsed.xid)?.count ?? 0) + 1,
        lastTimeSeconds: at,
      });
      gpu.lastCode = parsed.xid;
      gpu.lastTimeSeconds = at;
    }
    return found;
  }

  samples(): Sample[] {
    if (!this.readable) return [];
    const samples: Sample[] = [{ def: XID_METRICS.lostRecords, labels: {}, value: this.lost }];
    // Every known GPU gets its all-codes counter at 0 before its first XID, so that
    // first XID is an increase Prometheus can see.
    for (const [key] of this.inventory.all()) if (!this.gpus.has(key)) this.created(key, "");
    for (const [key, xids] of this.gpus) {
      const labels = this.labelsOf(key, xids);
      samples.push({ def: XID_METRICS.events, labels, value: xids.total });
      for (const [code, { count }] of xids.byCode)
        samples.push({
          def: XID_METRICS.errors,
          labels: { ...labels, xid: String(code) },
          value: count,
        });
      if (xids.lastTimeSeconds !== undefined) {
        samples.push({ def: XID_METRICS.lastCode, labels, value: xids.lastCode });
        samples.push({ def: XID_METRICS.lastTimestamp, labels, value: xids.lastTimeSeconds });
      }
    }
    return samples;
  }

  /** The last XID code of every GPU (0 before any); undefined until the kernel log was readable. */
  lastXids(): readonly LastXid[] | undefined {
    if (!this.readable) return undefined;
    return [...this.gpus].map(([key, xids]) => {
      const labels = this.labelsOf(key, xids);
      return {
        gpu: labels.gpu,
        uuid: labels.uuid,
        pciBusId: labels.pci_bus_id,
        code: xids.lastCode,
      };
    });
  }

  /** Every GPU's count and last time per XID code. */
  counts(): XidCount[] {
    return [...this.gpus].flatMap(([key, xids]) => {
      const { uuid } = this.labelsOf(key, xids);
      return [...xids.byCode].map(([code, { count, lastTimeSeconds }]) => ({
        uuid,
        code,
        count,
        lastTimeSeconds,
      }));
    });
  }

  private created(key: string, pciAddress: string): GpuXids {
    const gpu: GpuXids = {
      pciAddress,
      total: 0,
      byCode: new Map(),
      lastCode: 0,
      lastTimeSeconds: undefined,
    };
    this.gpus.set(key, gpu);
    return gpu;
  }

  private labelsOf(key: string, xids: GpuXids): { gpu: string; uuid: string; pci_bus_id: string } {
    const known = this.inventory.byPciKey(key);
    return {
      gpu: known?.gpu ?? "",
      uuid: known?.uuid ?? this.announcedUuid.get(key) ?? "",
      pci_bus_id: known?.pciBusId ?? xids.pciAddress,
    };
  }
}
