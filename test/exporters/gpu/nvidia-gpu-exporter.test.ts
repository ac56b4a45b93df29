import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nvidiaSmiName } from "../../../exporters/gpu/nvidia-gpu-exporter/metric-name.js";
import { transformFieldValue } from "../../../exporters/gpu/nvidia-gpu-exporter/transform-value.js";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { startEverything } from "./support/everything.js";
import { parseExposition, select } from "./support/exposition-text.js";
import type { Series } from "./support/exposition-text.js";
import { startGpuExporter } from "./support/gpu-exporter.js";
import { nvidiaCaptureCases } from "./support/nvidia-replay.js";
import { writeNvidiaSmiStandIn } from "./support/stand-in-tools.js";

const { available, dir: fixtures } = requireFixtures("gpu/nvidia-smi-csv", "gpu/expected-metrics");
const temp = makeTempDir("nvidia-gpu-exporter");
afterAll(() => temp.remove());

/** Families upstream's own comparison leaves out too: they depend on the wall clock. */
const WALL_CLOCK = new Set([
  "nvidia_smi_last_collect_duration_seconds",
  "nvidia_smi_last_collect_success_timestamp_seconds",
]);

interface Exposition {
  readonly headers: ReadonlyMap<string, string>;
  readonly samples: ReadonlyMap<string, number>;
}

/** nvidia_smi_* families only: HELP and TYPE per family, each sample by name and sorted labels. */
function nvidiaSmiExposition(text: string): Exposition {
  const headers = new Map<string, string>();
  for (const line of text.split("\n")) {
    const header = /^# (HELP|TYPE) (nvidia_smi_\w+) (.*)$/.exec(line);
    if (header && !WALL_CLOCK.has(header[2] ?? ""))
      headers.set(`${header[1]} ${header[2]}`, header[3] ?? "");
  }
  const samples = new Map<string, number>();
  for (const series of parseExposition(text).filter(
    (s: Series) => s.name.startsWith("nvidia_smi_") && !WALL_CLOCK.has(s.name),
  )) {
    const labels = Object.entries(series.labels)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(",");
    samples.set(`${series.name}{${labels}}`, series.value);
  }
  return { headers, samples };
}

describe.skipIf(!available)("nvidia_gpu_exporter compatibility", () => {
  const expectedDir = join(fixtures, "gpu", "expected-metrics");
  const expectedFiles = available
    ? readdirSync(expectedDir).filter((f) => f.endsWith(".metrics"))
    : [];

  it("has every expected output upstream keeps for the captures", () => {
    expect(expectedFiles).toHaveLength(6);
  });

  for (const file of expectedFiles) {
    it(`serves what nvidia_gpu_exporter serves for ${file}`, async () => {
      const [capture = "", state = ""] = file.replace(/\.metrics$/, "").split(/__(?=idle|load)/);
      const nvidiaCase = nvidiaCaptureCases(fixtures).find(
        (c) => c.name === `${capture} (${state})`,
      );
      if (!nvidiaCase) throw new Error(`no capture case for ${file}`);
      const id = file.replace(/\W+/g, "-");
      const nvidia = writeNvidiaSmiStandIn(temp.path, `nvidia-smi-${id}`, {
        ...nvidiaCase.replay,
        log: join(temp.path, `${id}.log`),
      });
      const gpu = await startGpuExporter(
        temp.path,
        [
          "interval: 1h",
          "timeout: 30s",
          `nvidia_smi: { path: ${JSON.stringify(nvidia)}, processes: true }`,
          "xid: { enabled: false }",
          "nvidia_gpu_exporter: { enabled: true }",
        ].join("\n"),
      );
      try {
        const text = await gpu.until("a reading", (_series, body) =>
          body.includes("nvidia_smi_gpu_info{") ? body : undefined,
        );
        const ours = nvidiaSmiExposition(text);
        const theirs = nvidiaSmiExposition(readFileSync(join(expectedDir, file), "utf8"));
        expect(theirs.samples.size).toBeGreaterThan(90);
        expect([...ours.headers].sort()).toEqual([...theirs.headers].sort());
        expect([...ours.samples.keys()].sort()).toEqual([...theirs.samples.keys()].sort());
        for (const [key, value] of theirs.samples) expect(ours.samples.get(key), key).toBe(value);
        // The wall-clock families are there, with the values upstream gives them.
        expect(text).toMatch(/^nvidia_smi_last_collect_duration_seconds \d/m);
        expect(text).toMatch(/^nvidia_smi_last_collect_success_timestamp_seconds \d+$/m);
      } finally {
        await gpu.exporter.stop();
      }
    });
  }

  it("serves every series nvidia_gpu_exporter's alert rules read, XIDs from the kernel log", async () => {
    const rules = readFileSync(
      join(
        fixtures,
        "prometheus-rules",
        "nvidia_gpu_exporter_alerts",
        "prometheusrule.helm-template.yaml",
      ),
      "utf8",
    );
    const read = new Set(rules.match(/nvidia_smi_[a-z0-9_]+/g));
    expect(read.size).toBeGreaterThan(10);
    const gpu = await startEverything(
      fixtures,
      temp.path,
      "nvidia_gpu_exporter: { enabled: true }",
    );
    try {
      const series = await gpu.scrape();
      // What this run serves (MIG H100 under load, with XIDs), and what the tests above
      // prove aiwatch serves for each capture (it equals upstream's expected output).
      const served = new Set([
        ...series.map((s) => s.name),
        ...expectedFiles.flatMap((file) =>
          parseExposition(readFileSync(join(expectedDir, file), "utf8")).map((s) => s.name),
        ),
      ]);
      // The H100's XID 119 from the kernel log, under upstream's NVML-backend names.
      expect(
        select(series, "nvidia_smi_xid_errors_total", {
          uuid: "00000000-0000-0000-0000-000000000000",
          xid: "119",
        })[0]?.value,
      ).toBe(1);
      const missing = [...read].filter((name) => !served.has(name)).sort();
      // Drivers before 535 print clocks_throttle_reasons.* (the rules `or` both spellings);
      // retired_pages.pending is [N/A] on every captured GPU, for upstream too.
      expect(missing).toEqual([
        "nvidia_smi_clocks_throttle_reasons_hw_power_brake_slowdown",
        "nvidia_smi_clocks_throttle_reasons_hw_thermal_slowdown",
        "nvidia_smi_clocks_throttle_reasons_sw_thermal_slowdown",
        "nvidia_smi_retired_pages_pending",
      ]);
      expect(nvidiaSmiName("clocks_throttle_reasons.hw_thermal_slowdown").name).toBe(
        "nvidia_smi_clocks_throttle_reasons_hw_thermal_slowdown",
      );
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("keeps aiwatch's own names beside nvidia_gpu_exporter's, and counts a failed collection", async () => {
    const nvidiaCase = nvidiaCaptureCases(fixtures).find((c) =>
      c.name.startsWith("linux-x86_64__nvidia-geforce-rtx-4080-super"),
    );
    if (!nvidiaCase) throw new Error("no RTX 4080 capture");
    const nvidia = writeNvidiaSmiStandIn(temp.path, "nvidia-smi-failing", {
      ...nvidiaCase.replay,
      queryGpu: "",
      log: join(temp.path, "failing.log"),
    });
    const gpu = await startGpuExporter(
      temp.path,
      `interval: 1h\ntimeout: 30s\nnvidia_smi: { path: ${JSON.stringify(nvidia)} }\nxid: { enabled: false }\nnvidia_gpu_exporter: { enabled: true }`,
    );
    try {
      const text = await gpu.until("a failed reading", (_s, body) =>
        /^nvidia_smi_failed_scrapes_total 1$/m.test(body) ? body : undefined,
      );
      expect(text).toMatch(/^nvidia_smi_last_collect_success 0$/m);
      expect(text).not.toContain("nvidia_smi_gpu_info{");
      expect(text).toContain('aiwatch_exporter_collector_up{collector="gpu"} 0');
    } finally {
      await gpu.exporter.stop();
    }
  });
});

describe("nvidia_gpu_exporter's names and values", () => {
  it("derive names from the printed header and scale to the unit in the name", () => {
    expect(nvidiaSmiName("memory.used [MiB]")).toEqual({
      name: "nvidia_smi_memory_used_bytes",
      multiplier: 1048576,
    });
    expect(nvidiaSmiName("clocks.current.sm [MHz]").name).toBe(
      "nvidia_smi_clocks_current_sm_clock_hz",
    );
    expect(nvidiaSmiName("encoder.stats.averageFps").name).toBe(
      "nvidia_smi_encoder_stats_average_fps",
    );
    expect(nvidiaSmiName("clocks_event_reasons_counters.sw_power_cap [us]")).toEqual({
      name: "nvidia_smi_clocks_event_reasons_counters_sw_power_cap_seconds",
      multiplier: 0.000001,
    });
    // An unknown unit is kept in the name, as upstream's best effort does.
    expect(nvidiaSmiName("power.energy [GB/s]").name).toBe("nvidia_smi_power_energy_gb_s");
  });

  it("read values as upstream's transform does", () => {
    expect(transformFieldValue("pstate", "P8", 1)).toBe(8);
    expect(transformFieldValue("persistence_mode", "Enabled", 1)).toBe(1);
    expect(transformFieldValue("compute_mode", "Exclusive_Process", 1)).toBe(3);
    expect(transformFieldValue("clocks_event_reasons.active", "0x0000000000000004", 1)).toBe(4);
    expect(transformFieldValue("utilization.gpu", "42 %", 0.01)).toBe(42 * 0.01);
    expect(transformFieldValue("fabric.state", "In Progress", 1)).toBe(2);
    expect(transformFieldValue("fabric.state", "[N/A]", 1)).toBeUndefined();
    expect(transformFieldValue("gpu_recovery_action", "Something New", 1)).toBeUndefined();
    expect(transformFieldValue("timestamp", "2026/07/14 09:00:26.123", 1)).toBeUndefined();
    expect(transformFieldValue("power.draw", "[N/A]", 1)).toBeUndefined();
  });
});
