/**
 * Kernel log lines recorded on real machines and posted in public bug reports (the text
 * after the dmesg timestamp or the syslog prefix, as /dev/kmsg and journald store it).
 * Several XID codes, the "GPU at PCI" lines the driver prints before a GPU's first XID,
 * and lines that mention XIDs without being one.
 */
export interface RecordedLine {
  readonly text: string;
  /** The XID code the line reports, if it is an XID line. */
  readonly xid?: number;
  readonly pci?: string;
}

/** https://github.com/akash-network/support/issues/244 (dmesg -T of an 8-GPU node, driver 535.183.01). */
export const AKASH_NODE: readonly RecordedLine[] = [
  {
    text: "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024",
  },
  { text: "NVRM: GPU at PCI:0000:00:05: GPU-efbdfde9-5798-a6e7-4c46-12518fa15375" },
  { text: "NVRM: GPU Board Serial Number: 1650423013443" },
  {
    text: "NVRM: Xid (PCI:0000:00:05): 43, pid=1045242, name=pt_main_thread, Ch 00000008",
    xid: 43,
    pci: "0000:00:05",
  },
  {
    text: "NVRM: Xid (PCI:0000:00:05): 43, pid=1084984, name=pt_main_thread, Ch 00000008",
    xid: 43,
    pci: "0000:00:05",
  },
  { text: "NVRM: GPU at PCI:0000:00:07: GPU-3b6ec030-5adc-1847-e155-79f635584b4e" },
  {
    text: "NVRM: Xid (PCI:0000:00:07): 31, pid=2512125, name=python3.10, Ch 00000008, intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_8 faulted @ 0x73ac_1c000000. Fault is of type FAULT_PDE ACCESS_TYPE_VIRT_WRITE",
    xid: 31,
    pci: "0000:00:07",
  },
  { text: "NVRM: GPU at PCI:0000:00:08: GPU-c24840ec-8de1-83d5-b126-08000173ae32" },
  {
    text: "NVRM: Xid (PCI:0000:00:08): 94, pid='<unknown>', name=<unknown>, Contained: SM (0x1). RST: No, D-RST: No",
    xid: 94,
    pci: "0000:00:08",
  },
];

/** https://github.com/doitsujin/dxvk/issues/1027 (a desktop GPU at 0000:01:00, driver 418). */
export const DXVK_DESKTOP: readonly RecordedLine[] = [
  { text: "NVRM: GPU at PCI:0000:01:00: GPU-8a47641b-dff6-f09f-618c-c3eb58fb430d" },
  {
    text: "NVRM: Xid (PCI:0000:01:00): 31, Ch 0000003a, intr 10000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_3 faulted @ 0x17_00592000. Fault is of type FAULT_PDE ACCESS_TYPE_READ",
    xid: 31,
    pci: "0000:01:00",
  },
  {
    text: "NVRM: Xid (PCI:0000:01:00): 13, Graphics Exception: Class 0x0 Subchannel 0x0 Mismatch",
    xid: 13,
    pci: "0000:01:00",
  },
  {
    text: "NVRM: Xid (PCI:0000:01:00): 13, Graphics Exception: ESR 0x404000=0x80000002",
    xid: 13,
    pci: "0000:01:00",
  },
  {
    text: "NVRM: Xid (PCI:0000:01:00): 32, Channel ID 00000052 intr 02000000",
    xid: 32,
    pci: "0000:01:00",
  },
];

/** https://github.com/NVIDIA/gpu-operator/issues/1146 (syslog of a worker with a failing GPU). */
export const GPU_OPERATOR_WORKER: readonly RecordedLine[] = [
  { text: "NVRM: GPU 0000:0a:00.0: rm_init_adapter failed, device minor number 5" },
  {
    text: "NVRM: Xid (PCI:0000:07:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x7fffa8860 partition 7, subpartition 1.",
    xid: 48,
    pci: "0000:07:00",
  },
  {
    text: "NVRM: Xid (PCI:0000:07:00): 64, pid='<unknown>', name=<unknown>, Dynamic Page Retirement: Blacklisting failed.  Page should have been blacklisted on boot(0x00000000007fffa8).",
    xid: 64,
    pci: "0000:07:00",
  },
];

/** https://github.com/NVIDIA/open-gpu-kernel-modules/issues/1150: an XID that names an earlier one. */
export const CAUSED_BY_PREVIOUS: RecordedLine = {
  text: "NVRM: Xid (PCI:0000:dc:00): 45, pid=1818990, name=python3, Ch 00000001 caused by previous Xid 149",
  xid: 45,
  pci: "0000:dc:00",
};

/** https://github.com/NVIDIA/NVSentinel/issues/155: the GPU falls off the bus. */
export const FALLEN_OFF_THE_BUS: RecordedLine = {
  text: "NVRM: Xid (PCI:0000:44:00): 79, GPU has fallen off the bus",
  xid: 79,
  pci: "0000:44:00",
};

/**
 * https://github.com/NVIDIA/NVSentinel/issues/155: the multi-line message newer drivers
 * print around the same event; it carries no XID and must not be counted as one.
 */
export const NOT_AN_XID: readonly RecordedLine[] = [
  { text: "NVRM: The NVIDIA GPU 0000:b3:00.0" },
  { text: "NVRM: The NVIDIA probe routine failed for 1 device(s)." },
];

/** A kmsg record (`<prio>,<seq>,<usec since boot>,<flags>;<text>`) with a continuation line, as /dev/kmsg returns it. */
export function kmsgRecord(seq: number, usecSinceBoot: number, text: string): string {
  return `4,${seq},${usecSinceBoot},-;${text}\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:05.0\n`;
}
