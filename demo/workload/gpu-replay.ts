import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { uptime } from "node:os";
import { join } from "node:path";
import { readCapture, sectionOf } from "../../exporters/gpu/replay/nvidia-capture.js";
import { writeNvidiaSmiStandIn } from "../../exporters/gpu/replay/nvidia-smi-stand-in.js";

/** The capture the demo's GPU readings come from: an H100 under load, as a real driver printed it. */
export const DEMO_CAPTURE = join(
  "gpu",
  "nvidia-smi-csv",
  "linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt",
);

export interface GpuReplay {
  readonly nvidiaSmi: string;
  readonly kmsg: string;
  /** Appends an XID line to the kernel log, as the driver prints it, for the first GPU. */
  injectXid(code: number): void;
}

/**
 * A stand-in `nvidia-smi` replaying a real capture from the shared fixtures (never
 * copied into the repository), and a kernel-log file in /dev/kmsg's format that the GPU
 * collector follows for XID errors. Undefined when the capture is not there.
 */
export function prepareGpuReplay(fixturesDir: string, workDir: string): GpuReplay | undefined {
  const capturePath = join(fixturesDir, DEMO_CAPTURE);
  if (!existsSync(capturePath)) return undefined;
  const sections = readCapture(capturePath);
  const body = (state: string, title: string): string | null =>
    sectionOf(sections, state, title)?.body ?? null;
  const queryGpu = body("load", "query-gpu");
  if (queryGpu === null) return undefined;
  const nvidiaSmi = writeNvidiaSmiStandIn(workDir, "nvidia-smi", {
    helpQueryGpu: body("capabilities", "help-query-gpu"),
    helpQueryComputeApps: body("capabilities", "help-query-compute-apps"),
    queryGpu,
    queryComputeApps: body("load", "query-compute-apps"),
    list: body("capabilities", "list (-L)"),
    query: body("load", "query (-q)"),
    log: join(workDir, "nvidia-smi.calls.log"),
  });
  const kmsg = join(workDir, "kmsg");
  writeFileSync(kmsg, "");
  const busId = pciBusId(queryGpu);
  let sequence = 1;
  return {
    nvidiaSmi,
    kmsg,
    injectXid: (code) => {
      // The kernel stamps messages with time since boot, which is how the collector reads
      // them back (boot time + stamp): the system's uptime, not this process's.
      const micros = Math.round(uptime() * 1e6);
      appendFileSync(
        kmsg,
        `3,${sequence++},${micros},-;NVRM: Xid (PCI:${busId}): ${code}, pid=4242, name=python, GPU has fallen off the bus.\n`,
      );
    },
  };
}

/** `00000000:18:00.0` in the CSV is `0000:18:00` in the driver's kernel messages. */
function pciBusId(queryGpuCsv: string): string {
  const [header = "", first = ""] = queryGpuCsv.split("\n");
  const column = header.split(", ").findIndex((h) => h.startsWith("pci.bus_id"));
  const value = first.split(", ")[column] ?? "00000000:01:00.0";
  const [domain = "00000000", bus = "01", device = "00.0"] = value.split(":");
  return `${domain.slice(-4)}:${bus}:${device.split(".")[0] ?? "00"}`;
}
