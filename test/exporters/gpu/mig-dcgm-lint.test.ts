import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../../../core/run-process.js";
import { requireBinaries } from "../../support/binaries.js";
import { startPrometheus } from "../../support/prometheus-process.js";
import { waitFor } from "../../support/wait-for.js";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { parseExposition, select, valueOf } from "./support/exposition-text.js";
import { H100, startEverything as startAll } from "./support/everything.js";
import { startGpuExporter } from "./support/gpu-exporter.js";
import { nvidiaCaptureCases } from "./support/nvidia-replay.js";
import { writeNvidiaSmiStandIn } from "./support/stand-in-tools.js";
import type { NvidiaReplay } from "./support/stand-in-tools.js";
import type { GpuExporter } from "./support/gpu-exporter.js";

const { available, dir: fixtures } = requireFixtures("gpu/nvidia-smi-csv", "gpu/rocm-smi-json");
const temp = makeTempDir("gpu-mig-dcgm");
afterAll(() => temp.remove());

const startEverything = (dcgm: string): Promise<GpuExporter> => startAll(fixtures, temp.path, dcgm);

async function everything(dcgm: string): Promise<string> {
  const gpu = await startEverything(dcgm);
  try {
    return await gpu.text();
  } finally {
    await gpu.exporter.stop();
  }
}

describe.skipIf(!available)("MIG instances", () => {
  it("get their own series, labelled with the parent GPU and the instance, values from -q and -L", async () => {
    const series = parseExposition(await everything(""));
    const instance = (id: string) =>
      select(series, "aiwatch_gpu_mig_memory_used_bytes", {
        gpu: "0",
        uuid: H100,
        gpu_instance_id: id,
      });
    // From the capture's -L and -q (load): device 0 is GPU instance 2, a 3g.40gb slice using 11091 MiB.
    expect(instance("2").map((s) => s.labels)).toEqual([
      { gpu: "0", uuid: H100, gpu_instance_id: "2", mig_profile: "3g.40gb" },
    ]);
    expect(instance("2")[0]?.value).toBe(11091 * 1048576);
    expect(instance("10")[0]?.labels["mig_profile"]).toBe("1g.10gb");
    expect(valueOf(series, "aiwatch_gpu_mig_memory_total_bytes", { gpu_instance_id: "3" })).toBe(
      20096 * 1048576,
    );
    expect(
      valueOf(series, "aiwatch_gpu_mig_bar1_memory_free_bytes", { gpu_instance_id: "9" }),
    ).toBe(6184 * 1048576);
    expect(
      valueOf(series, "aiwatch_gpu_mig_sram_uncorrected_errors_total", { gpu_instance_id: "10" }),
    ).toBe(0);
    // What a compute instance has of its own is per MIG device.
    expect(
      select(series, "aiwatch_gpu_mig_multiprocessors", { mig_device: "0" })[0]?.labels,
    ).toEqual({
      gpu: "0",
      uuid: H100,
      mig_device: "0",
      mig_uuid: "MIG-00000000-0000-0000-0000-000000000000",
      mig_profile: "3g.40gb",
      gpu_instance_id: "2",
      compute_instance_id: "0",
    });
    expect(valueOf(series, "aiwatch_gpu_mig_multiprocessors", { mig_device: "0" })).toBe(60);
    expect(valueOf(series, "aiwatch_gpu_mig_engines", { mig_device: "0", engine: "jpg" })).toBe(3);
    // 4 instances x 14 readings each; every leaf of every MIG Device block is exported.
    expect(
      series.filter(
        (s) => s.name.startsWith("aiwatch_gpu_mig_") && s.name !== "aiwatch_gpu_mig_mode_enabled",
      ),
    ).toHaveLength(56);
    expect(
      select(series, "aiwatch_gpu_fields_not_exported").filter((s) =>
        (s.labels["field"] ?? "").startsWith("MIG Device/"),
      ),
    ).toEqual([]);
  });

  it("count a GPU instance's memory once however many compute instances share it", async () => {
    // The capture's GPU instance 2 (3g.40gb) split into two compute instances, as
    // nvidia-smi prints them: -L names each with its compute profile, and -q gives each a
    // MIG Device block that repeats the instance's shared memory.
    const migCase = nvidiaCaptureCases(fixtures).find(
      (c) => c.name.includes("h100-mig") && c.state === "load",
    );
    const list = migCase?.replay.list ?? "";
    const query = migCase?.replay.query ?? "";
    const firstBlock = /^ {4}MIG Device\n(?: {8}.*\n)+/m.exec(query)?.[0] ?? "";
    expect(firstBlock).toContain("GPU Instance ID                                : 2");
    const secondCompute = firstBlock
      .replace(/(Index\s+: )0/, "$14")
      .replace(/(Compute Instance ID\s+: )0/, "$11")
      .replace(/(Multiprocessor count\s+: )60/, "$120");
    const replay = {
      ...migCase?.replay,
      list: list
        .replace("MIG 3g.40gb     Device  0", "MIG 2c.3g.40gb  Device  0")
        .replace(
          /(MIG 1g\.10gb {5}Device {2}3: .*)/,
          "$1\n  MIG 1c.3g.40gb  Device  4: (UUID: MIG-00000004-0000-0000-0000-000000000004)",
        ),
      query: query.replace(firstBlock, firstBlock + secondCompute),
      log: join(temp.path, "split.log"),
    };
    const nvidia = writeNvidiaSmiStandIn(temp.path, "nvidia-smi-split", replay as NvidiaReplay);
    const gpu = await startGpuExporter(
      temp.path,
      `interval: 1h\ntimeout: 30s\nnvidia_smi: { path: ${JSON.stringify(nvidia)} }\nxid: { enabled: false }\ndcgm: { enabled: true }`,
    );
    try {
      const series = await gpu.until("a reading", (s) =>
        select(s, "aiwatch_gpu_mig_multiprocessors").length === 5 ? s : undefined,
      );
      const used = select(series, "aiwatch_gpu_mig_memory_used_bytes");
      expect(used.map((s) => [s.labels["gpu_instance_id"], s.labels["mig_profile"]])).toEqual([
        ["2", "3g.40gb"],
        ["3", "2g.20gb"],
        ["9", "1g.10gb"],
        ["10", "1g.10gb"],
      ]);
      const sum = (list: readonly { value: number }[]) => list.reduce((n, s) => n + s.value, 0);
      // 11091 + 17 + 9 + 9 MiB, each instance once (11091 twice was the double count):
      // the GPU's 11125 MiB used, give or take nvidia-smi's rounding of each.
      expect(sum(used)).toBe((11091 + 17 + 9 + 9) * 1048576);
      expect(valueOf(series, "aiwatch_gpu_memory_used_bytes", { gpu: "0" })).toBe(11125 * 1048576);
      const smCounts = select(series, "aiwatch_gpu_mig_multiprocessors", { gpu_instance_id: "2" });
      expect(smCounts.map((s) => [s.labels["mig_profile"], s.value])).toEqual([
        ["2c.3g.40gb", 60],
        ["1c.3g.40gb", 20],
      ]);
      // dcgm-exporter: one entity per GPU instance, none for the whole GPU in MIG mode.
      const fbUsed = select(series, "DCGM_FI_DEV_FB_USED");
      expect(fbUsed.map((s) => [s.labels["GPU_I_PROFILE"], s.labels["GPU_I_ID"], s.value])).toEqual(
        [
          ["3g.40gb", "2", 11091],
          ["2g.20gb", "3", 17],
          ["1g.10gb", "9", 9],
          ["1g.10gb", "10", 9],
        ],
      );
      // Device-wide fields repeat the GPU's value on each instance, as DCGM reports them.
      expect(select(series, "DCGM_FI_DEV_POWER_USAGE").map((s) => s.value)).toEqual([
        433.78, 433.78, 433.78, 433.78,
      ]);
    } finally {
      await gpu.exporter.stop();
    }
  });
});

describe.skipIf(!available)("dcgm-compatible names", () => {
  it("mirror dcgm-exporter's names, units and labels, MIG instances with GPU_I_PROFILE and GPU_I_ID", async () => {
    const text = await everything("dcgm: { enabled: true, hostname: gpu-node-7 }");
    const series = parseExposition(text);
    // The H100 is in MIG mode: as dcgm-exporter does, its entities are its GPU instances.
    const gpu = {
      gpu: "0",
      UUID: H100,
      pci_bus_id: "00000000:00:09.0",
      device: "nvidia0",
      Hostname: "gpu-node-7",
      GPU_I_PROFILE: "3g.40gb",
      GPU_I_ID: "2",
    };
    expect(select(series, "DCGM_FI_DEV_FB_USED", gpu)[0]?.labels).toEqual(gpu);
    expect(valueOf(series, "DCGM_FI_DEV_FB_USED", gpu)).toBe(11091);
    expect(select(series, "DCGM_FI_DEV_FB_USED", { GPU_I_ID: "" })).toEqual([]);
    expect(
      valueOf(series, "DCGM_FI_DEV_FB_FREE", { GPU_I_PROFILE: "1g.10gb", GPU_I_ID: "9" }),
    ).toBe(9976);
    expect(valueOf(series, "DCGM_FI_DEV_FB_TOTAL", { GPU_I_ID: "3" })).toBe(20096);
    expect(valueOf(series, "DCGM_FI_DEV_SM_CLOCK", gpu)).toBe(1980);
    expect(valueOf(series, "DCGM_FI_DEV_POWER_USAGE", gpu)).toBe(433.78);
    expect(valueOf(series, "DCGM_FI_DEV_GPU_TEMP", gpu)).toBe(53);
    expect(valueOf(series, "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", gpu)).toBe(0);
    expect(valueOf(series, "DCGM_FI_DEV_XID_ERRORS", gpu)).toBe(119);
    // Utilisation is [N/A] for a GPU in MIG mode: absent, as in dcgm-exporter, never 0.
    expect(select(series, "DCGM_FI_DEV_GPU_UTIL")).toEqual([]);
    // Counters whose names cannot end in _total are untyped (see README); gauges stay gauges.
    expect(text).toContain("# TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL untyped\n");
    expect(text).toContain("# TYPE DCGM_FI_DEV_ECC_SBE_AGG_TOTAL untyped\n");
    expect(text).toContain("# TYPE DCGM_FI_DEV_FB_USED gauge\n");
    // NVIDIA only (one series per GPU instance): the AMD card keeps its aiwatch_gpu_* names.
    expect(select(series, "DCGM_FI_DEV_GPU_TEMP")).toHaveLength(4);
    expect(select(series, "aiwatch_gpu_info", { vendor: "amd" })).toHaveLength(1);
    // The native names are still there.
    expect(valueOf(series, "aiwatch_gpu_memory_used_bytes", { gpu: "0", uuid: H100 })).toBe(
      11125 * 1048576,
    );
  });

  it("add modelName only when asked", async () => {
    const series = parseExposition(
      await everything("dcgm: { enabled: true, model_name_label: true }"),
    );
    expect(select(series, "DCGM_FI_DEV_FB_USED", { GPU_I_ID: "2" })[0]?.labels["modelName"]).toBe(
      "NVIDIA H100 80GB HBM3",
    );
  });
});

const { available: havePromtool, paths } = requireBinaries("promtool", "prometheus");

describe.skipIf(!available || !havePromtool)(
  "scraped by a real Prometheus (OpenMetrics negotiated)",
  () => {
    it("stores both naming schemes, with dcgm-exporter's counters as unknown-typed series", async () => {
      const gpu = await startEverything("dcgm: { enabled: true, hostname: gpu-node-7 }");
      const dir = makeTempDir("gpu-prometheus");
      const prometheus = await startPrometheus({
        binary: paths.prometheus,
        dir: dir.path,
        config: `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: gpu\n    static_configs: [{ targets: ["${gpu.exporter.url.replace("http://", "")}"] }]\n`,
      });
      try {
        type Result = { metric: Record<string, string>; value: [number, string] }[];
        const query = (q: string) =>
          prometheus.api<{ result: Result }>(`query?query=${encodeURIComponent(q)}`);
        const mig = await waitFor("a scrape", async () => {
          const r = (await query('DCGM_FI_DEV_FB_USED{GPU_I_PROFILE="3g.40gb"}')).result;
          return r.length > 0 ? r : undefined;
        });
        expect(mig[0]?.metric).toMatchObject({
          gpu: "0",
          UUID: H100,
          GPU_I_ID: "2",
          Hostname: "gpu-node-7",
          device: "nvidia0",
        });
        expect(mig[0]?.value[1]).toBe("11091");
        // One series per GPU instance, none for the whole GPU in MIG mode: a sum is the GPU's.
        const total = (await query("sum(DCGM_FI_DEV_FB_USED)")).result;
        expect(total[0]?.value[1]).toBe(String(11091 + 17 + 9 + 9));
        expect((await query('DCGM_FI_DEV_FB_USED{GPU_I_ID=""}')).result).toEqual([]);
        const xids = (await query(`aiwatch_gpu_xid_events_total{uuid="${H100}"}`)).result;
        expect(xids.map((r) => r.value[1])).toEqual(["1"]);
        const metadata = await prometheus.api<Record<string, { type: string }[]>>(
          "metadata?metric=DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
        );
        expect(metadata["DCGM_FI_DEV_ECC_DBE_VOL_TOTAL"]?.[0]?.type).toBe("unknown");
        const ours = await prometheus.api<Record<string, { type: string; unit?: string }[]>>(
          "metadata?metric=aiwatch_gpu_memory_used_bytes",
        );
        expect(ours["aiwatch_gpu_memory_used_bytes"]?.[0]).toMatchObject({ type: "gauge" });
      } finally {
        await prometheus.stop();
        await gpu.exporter.stop();
        dir.remove();
      }
    });
  },
);

describe.skipIf(!available || !havePromtool)("promtool check metrics", () => {
  const lint = async (text: string): Promise<string> => {
    const file = join(temp.path, `metrics-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(file, text);
    const result = await runProcess("sh", ["-c", `${paths.promtool} check metrics < ${file}`]);
    return (
      result.stdout +
      result.stderr +
      (result.exitCode === 0 ? "" : `exit status ${result.exitCode}\n`)
    );
  };

  it("reports nothing with aiwatch names", async () => {
    const text = await everything("");
    expect(text).toContain("aiwatch_gpu_xid_errors_total{");
    expect(await lint(text)).toBe("");
  });

  it("reports nothing with dcgm-compatible names added", async () => {
    const text = await everything("dcgm: { enabled: true }");
    expect(text).toContain("DCGM_FI_DEV_ECC_SBE_AGG_TOTAL{");
    expect(await lint(text)).toBe("");
  });

  it("flags only the camelCase modelName label when it is switched on", async () => {
    const complaints = (
      await lint(await everything("dcgm: { enabled: true, model_name_label: true }"))
    )
      .trim()
      .split("\n");
    expect(complaints.pop()).toBe("exit status 3");
    expect(complaints.length).toBeGreaterThan(0);
    for (const line of complaints)
      expect(line).toMatch(
        /^DCGM_FI_\w+ label names should be written in 'snake_case' not 'camelCase'$/,
      );
  });
});
