/** One XID line: `NVRM: Xid (PCI:0000:01:00): 79, pid=..., GPU has fallen off the bus.` */
export interface XidEvent {
  readonly kind: "xid";
  /** The PCI address as the driver printed it (domain:bus:device, no function). */
  readonly pciAddress: string;
  readonly pciKey: string;
  readonly xid: number;
}

/** `NVRM: GPU at PCI:0000:01:00: GPU-8a47641b-...`, printed before a GPU's first XID. */
export interface GpuAnnouncement {
  readonly kind: "gpu";
  readonly pciKey: string;
  readonly uuid: string;
}

const XID =
  /NVRM: Xid \((?:PCI:)?([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]+)?)\): (\d+)\b/;
const GPU_AT =
  /NVRM: GPU at PCI:([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]+)?): (GPU-[0-9A-Fa-f-]+)/;

/** What a kernel message says about NVIDIA GPUs, if anything. NVSwitch `SXid` lines are not GPU XIDs. */
export function parseKernelMessage(message: string): XidEvent | GpuAnnouncement | undefined {
  const xid = XID.exec(message);
  if (xid?.[1] !== undefined && xid[2] !== undefined) {
    const pciKey = pciKeyOf(xid[1]);
    if (pciKey !== undefined)
      return { kind: "xid", pciAddress: xid[1], pciKey, xid: Number(xid[2]) };
  }
  const gpu = GPU_AT.exec(message);
  if (gpu?.[1] !== undefined && gpu[2] !== undefined) {
    const pciKey = pciKeyOf(gpu[1]);
    if (pciKey !== undefined) return { kind: "gpu", pciKey, uuid: gpu[2] };
  }
  return undefined;
}

/**
 * One key for the kernel's `0000:01:00` and nvidia-smi's `00000000:01:00.0`: domain,
 * bus and device as numbers (the kernel omits the function; GPUs are function 0).
 */
export function pciKeyOf(address: string): string | undefined {
  const match = /^([0-9A-Fa-f]+):([0-9A-Fa-f]+):([0-9A-Fa-f]+)(?:\.[0-9A-Fa-f]+)?$/.exec(
    address.trim(),
  );
  if (!match) return undefined;
  return [match[1], match[2], match[3]]
    .map((part) => parseInt(part ?? "", 16).toString(16))
    .join(":");
}
