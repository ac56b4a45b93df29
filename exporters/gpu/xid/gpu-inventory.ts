import { pciKeyOf } from "./parse-kernel-message.js";

export interface KnownGpu {
  readonly gpu: string;
  readonly uuid: string;
  /** As nvidia-smi prints it: `00000000:01:00.0`. */
  readonly pciBusId: string;
}

/**
 * The GPUs nvidia-smi has reported, by PCI address, so a kernel XID line (which names
 * only the address) gets the `gpu` and `uuid` labels. GPUs are never forgotten: the GPU
 * behind XID 79 ("fallen off the bus") is exactly the one nvidia-smi stops listing.
 */
export class GpuInventory {
  private readonly byPci = new Map<string, KnownGpu>();

  remember(gpu: KnownGpu): void {
    const key = pciKeyOf(gpu.pciBusId);
    if (key !== undefined) this.byPci.set(key, gpu);
  }

  byPciKey(key: string): KnownGpu | undefined {
    return this.byPci.get(key);
  }

  all(): readonly (readonly [string, KnownGpu])[] {
    return [...this.byPci];
  }
}
