import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROCM_SMI_ARGS } from "../../../../exporters/gpu/rocm-smi/rocm-smi-source.js";
import { valueOf } from "./exposition-text.js";
import { startGpuExporter } from "./gpu-exporter.js";
import type { GpuExporter } from "./gpu-exporter.js";
import { AKASH_NODE, DXVK_DESKTOP, kmsgRecord } from "./kernel-log-lines.js";
import { nvidiaCaptureCases } from "./nvidia-replay.js";
import { writeNvidiaSmiStandIn, writeRocmSmiStandIn } from "./stand-in-tools.js";

export const H100 = "GPU-00000000-0000-0000-0000-000000000000";

/**
 * The H100 MIG capture under load, with per-process memory, XIDs from a kmsg file (one
 * for a GPU at 00:09, the H100's address), and an AMD card from rocm-smi beside it:
 * every family the collector has.
 */
export async function startEverything(
  fixtures: string,
  dir: string,
  dcgm: string,
  interval = "1h",
): Promise<GpuExporter> {
  const { section } = everythingGpuSection(fixtures, dir, dcgm, interval);
  const gpu = await startGpuExporter(dir, section, {
    bootTimeMs: () => 1_700_000_000_000,
  });
  await gpu.until("a full reading", (s) =>
    valueOf(s, "aiwatch_exporter_collector_up", { collector: "gpu" }) === 1 ? true : undefined,
  );
  return gpu;
}

/**
 * The stand-in tools and kernel log of `startEverything`, and the `collectors.gpu`
 * section (YAML, unindented) that uses them.
 */
export function everythingGpuSection(
  fixtures: string,
  dir: string,
  dcgm: string,
  interval: string,
): { readonly section: string } {
  const migCase = nvidiaCaptureCases(fixtures).find(
    (c) => c.name.includes("h100-mig") && c.state === "load",
  );
  if (!migCase) throw new Error("MIG capture missing");
  const id = Math.random().toString(36).slice(2);
  const nvidia = writeNvidiaSmiStandIn(dir, `nvidia-smi-${id}`, {
    ...migCase.replay,
    log: join(dir, `${id}.log`),
  });
  const rocm = writeRocmSmiStandIn(
    dir,
    `rocm-smi-${id}`,
    join(fixtures, "gpu", "rocm-smi-json", "vega-20-WKS-GL-XE.json"),
    ROCM_SMI_ARGS,
  );
  const kmsg = join(dir, `kmsg-${id}`);
  const lines = [
    ...AKASH_NODE,
    ...DXVK_DESKTOP,
    {
      text: "NVRM: Xid (PCI:0000:00:09): 119, pid=1234, name=python3, Timeout waiting for RPC from GSP!",
    },
  ];
  writeFileSync(kmsg, lines.map((l, i) => kmsgRecord(i, i * 1000, l.text)).join(""));
  const section = [
    `interval: ${interval}`,
    "timeout: 30s",
    `nvidia_smi: { path: ${JSON.stringify(nvidia)}, processes: true }`,
    `rocm_smi: { enabled: true, path: ${JSON.stringify(rocm)}, processes: true }`,
    `xid: { source: kmsg, kmsg_path: ${JSON.stringify(kmsg)} }`,
    dcgm,
  ].join("\n");
  return { section };
}
