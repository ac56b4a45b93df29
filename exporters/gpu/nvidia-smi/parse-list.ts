export interface ListedGpu {
  readonly index: string;
  readonly name: string;
  readonly uuid: string;
  readonly migDevices: readonly ListedMigDevice[];
}

export interface ListedMigDevice {
  /** "3g.40gb": dcgm-exporter's GPU_I_PROFILE. */
  readonly profile: string;
  /** The MIG device index within its GPU (`Device  0`). */
  readonly device: string;
  readonly uuid: string;
}

const GPU_LINE = /^GPU (\d+): (.*?) \(UUID: (GPU-[^)]+)\)\s*$/;
const MIG_LINE = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[^)]+)\)\s*$/;

/** `nvidia-smi -L`: GPUs and, under each, its MIG devices. */
export function parseGpuList(text: string): ListedGpu[] {
  const gpus: { index: string; name: string; uuid: string; migDevices: ListedMigDevice[] }[] = [];
  for (const line of text.split("\n").map((l) => l.replace(/\r$/, ""))) {
    const gpu = GPU_LINE.exec(line);
    if (gpu) {
      gpus.push({ index: gpu[1] ?? "", name: gpu[2] ?? "", uuid: gpu[3] ?? "", migDevices: [] });
      continue;
    }
    const mig = MIG_LINE.exec(line);
    const parent = gpus[gpus.length - 1];
    if (mig && parent)
      parent.migDevices.push({ profile: mig[1] ?? "", device: mig[2] ?? "", uuid: mig[3] ?? "" });
  }
  return gpus;
}
