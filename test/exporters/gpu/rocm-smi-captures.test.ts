import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROCM_SMI_ARGS } from "../../../exporters/gpu/rocm-smi/rocm-smi-source.js";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { close } from "./support/capture-expectations.js";
import { select, valueOf } from "./support/exposition-text.js";
import type { Series } from "./support/exposition-text.js";
import { firstPollEnded, startGpuExporter } from "./support/gpu-exporter.js";
import { writeRocmSmiStandIn } from "./support/stand-in-tools.js";

const { available, dir: fixtures } = requireFixtures("gpu/rocm-smi-json");
const temp = makeTempDir("gpu-rocm");
afterAll(() => temp.remove());

type Expectation =
  | { readonly metric: string; readonly labels?: Record<string, string>; readonly value: number }
  | { readonly info: string; readonly label: string };

const number = (text: string) => Number(text);
const snake = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
const CLOCK: Record<string, string> = { sclk: "graphics", mclk: "memory" };

/**
 * What the test expects of each rocm-smi key, written from rocm-smi's key names and units
 * (not from the collector's table). Keys that match nothing here fail the test.
 */
const CARD_KEYS: readonly (readonly [
  RegExp,
  (value: string, m: RegExpExecArray) => Expectation[],
])[] = [
  [
    /^Temperature \(Sensor (.+)\) \(C\)$/,
    (v, m) => [
      {
        metric: "aiwatch_gpu_temperature_celsius",
        labels: { sensor: snake(m[1] ?? "") },
        value: number(v),
      },
    ],
  ],
  [
    /^(\w+) clock speed:$/,
    (v, m) => [
      {
        metric: "aiwatch_gpu_clock_hertz",
        labels: { clock: CLOCK[m[1] ?? ""] ?? m[1] ?? "" },
        value: number(v.slice(1, -4)) * 1e6,
      },
    ],
  ],
  [
    /^(\w+) clock level:$/,
    (v, m) => [
      {
        metric: "aiwatch_gpu_clock_level",
        labels: { clock: CLOCK[m[1] ?? ""] ?? m[1] ?? "" },
        value: number(v),
      },
    ],
  ],
  [
    /^pcie clock level$/,
    (v) => {
      const [, level = "", speed = "", width = ""] =
        /^(\d+) \(([\d.]+)GT\/s x(\d+)\)$/.exec(v) ?? [];
      const generation = { "2.5": 1, "5.0": 2, "8.0": 3, "16.0": 4, "32.0": 5 }[speed] ?? NaN;
      return [
        { metric: "aiwatch_gpu_clock_level", labels: { clock: "pcie" }, value: number(level) },
        {
          metric: "aiwatch_gpu_pcie_link_generation",
          labels: { link: "current" },
          value: generation,
        },
        {
          metric: "aiwatch_gpu_pcie_link_width_lanes",
          labels: { link: "current" },
          value: number(width),
        },
      ];
    },
  ],
  [
    /^sclk clock level$/,
    (v) => {
      const [, level = "", mhz = ""] = /^(\d+) \((\d+)Mhz\)$/.exec(v) ?? [];
      return [
        { metric: "aiwatch_gpu_clock_level", labels: { clock: "graphics" }, value: number(level) },
        {
          metric: "aiwatch_gpu_clock_hertz",
          labels: { clock: "graphics" },
          value: number(mhz) * 1e6,
        },
      ];
    },
  ],
  [
    /^Performance Level$/,
    (v) => [{ metric: "aiwatch_gpu_performance_level", labels: { level: v }, value: 1 }],
  ],
  [
    /^GPU OverDrive value \(%\)$/,
    (v) => [
      { metric: "aiwatch_gpu_overdrive_ratio", labels: { domain: "gpu" }, value: number(v) / 100 },
    ],
  ],
  [
    /^GPU Memory OverDrive value \(%\)$/,
    (v) => [
      {
        metric: "aiwatch_gpu_overdrive_ratio",
        labels: { domain: "memory" },
        value: number(v) / 100,
      },
    ],
  ],
  [
    /^Max Graphics Package Power \(W\)$/,
    (v) => [
      { metric: "aiwatch_gpu_power_limit_watts", labels: { limit: "current" }, value: number(v) },
    ],
  ],
  [
    /^Average Graphics Package Power \(W\)$/,
    (v) => [{ metric: "aiwatch_gpu_power_draw_watts", value: number(v) }],
  ],
  [
    /^GPU use \(%\)$/,
    (v) => [
      {
        metric: "aiwatch_gpu_utilization_ratio",
        labels: { engine: "gpu" },
        value: number(v) / 100,
      },
    ],
  ],
  [
    /^(GPU memory use|GPU Memory Read\/Write Activity) \(%\)$/,
    (v) => [
      {
        metric: "aiwatch_gpu_utilization_ratio",
        labels: { engine: "memory" },
        value: number(v) / 100,
      },
    ],
  ],
  [
    /^GPU Memory Allocated \(VRAM%\)$/,
    (v) => [{ metric: "aiwatch_gpu_memory_allocated_ratio", value: number(v) / 100 }],
  ],
  [/^Memory Activity$/, (v) => [{ metric: "aiwatch_gpu_memory_activity", value: number(v) }]],
  [
    /^Avg\. Memory Bandwidth$/,
    (v) => [{ metric: "aiwatch_gpu_memory_bandwidth_average", value: number(v) }],
  ],
  [/^PCIe Replay Count$/, (v) => [{ metric: "aiwatch_gpu_pcie_replays_total", value: number(v) }]],
  [/^Voltage \(mV\)$/, (v) => [{ metric: "aiwatch_gpu_voltage_volts", value: number(v) / 1000 }]],
  [
    /^VRAM Total Memory \(B\)$/,
    (v) => [{ metric: "aiwatch_gpu_memory_total_bytes", value: number(v) }],
  ],
  [
    /^VRAM Total Used Memory \(B\)$/,
    (v) => [{ metric: "aiwatch_gpu_memory_used_bytes", value: number(v) }],
  ],
  [
    /^(VIS_VRAM|GTT) Total Memory \(B\)$/,
    (v, m) => [
      {
        metric: "aiwatch_gpu_memory_pool_total_bytes",
        labels: { pool: (m[1] ?? "").toLowerCase() },
        value: number(v),
      },
    ],
  ],
  [
    /^(VIS_VRAM|GTT) Total Used Memory \(B\)$/,
    (v, m) => [
      {
        metric: "aiwatch_gpu_memory_pool_used_bytes",
        labels: { pool: (m[1] ?? "").toLowerCase() },
        value: number(v),
      },
    ],
  ],
  [
    /^(.+) firmware version$/,
    (v, m) => [
      {
        metric: "aiwatch_gpu_firmware_info",
        labels: { firmware: snake(m[1] ?? ""), version: v },
        value: 1,
      },
    ],
  ],
  [/^\(Topology\) Numa Node$/, (v) => [{ metric: "aiwatch_gpu_numa_node", value: number(v) }]],
  [
    /^\(Topology\) Numa Affinity$/,
    (v) => [{ metric: "aiwatch_gpu_numa_affinity", value: number(v) }],
  ],
  [/^Fan speed \(level\)$/, (v) => [{ metric: "aiwatch_gpu_fan_speed_level", value: number(v) }]],
  [/^Fan speed \(%\)$/, (v) => [{ metric: "aiwatch_gpu_fan_speed_ratio", value: number(v) / 100 }]],
  [/^Fan RPM$/, (v) => [{ metric: "aiwatch_gpu_fan_speed_hertz", value: number(v) / 60 }]],
  [/^(GPU ID|Device ID)$/, () => [{ info: "aiwatch_gpu_pci_info", label: "device_id" }]],
  [/^Device Rev$/, () => [{ info: "aiwatch_gpu_pci_info", label: "revision" }]],
  [/^Subsystem ID$/, () => [{ info: "aiwatch_gpu_pci_info", label: "sub_device_id" }]],
  [/^Device Name$/, () => [{ info: "aiwatch_gpu_info", label: "name" }]],
  [/^VBIOS version$/, () => [{ info: "aiwatch_gpu_info", label: "vbios_version" }]],
  [/^Serial Number$/, () => [{ info: "aiwatch_gpu_info", label: "serial" }]],
  [/^PCI Bus$/, () => [{ info: "aiwatch_gpu_info", label: "pci_bus_id" }]],
  [/^Card [Ss]eries$/, () => [{ info: "aiwatch_gpu_amd_info", label: "card_series" }]],
  [/^Card [Mm]odel$/, () => [{ info: "aiwatch_gpu_amd_info", label: "card_model" }]],
  [/^Card [Vv]endor$/, () => [{ info: "aiwatch_gpu_amd_info", label: "card_vendor" }]],
  [/^Card SKU$/, () => [{ info: "aiwatch_gpu_amd_info", label: "card_sku" }]],
  [/^GUID$/, () => [{ info: "aiwatch_gpu_amd_info", label: "guid" }]],
  [/^Node ID$/, () => [{ info: "aiwatch_gpu_amd_info", label: "node_id" }]],
  [/^GFX Version$/, () => [{ info: "aiwatch_gpu_amd_info", label: "gfx_version" }]],
  [/^GPU memory vendor$/, () => [{ info: "aiwatch_gpu_amd_info", label: "memory_vendor" }]],
];

const isAbsent = (value: string) => /^N\/A\b/.test(value);

function checkCard(
  series: readonly Series[],
  gpu: string,
  fields: Record<string, string>,
): string[] {
  const problems: string[] = [];
  const uuid = fields["Unique ID"] && !isAbsent(fields["Unique ID"]) ? fields["Unique ID"] : "";
  const device = { gpu, uuid };
  for (const [key, value] of Object.entries(fields)) {
    const where = `card${gpu} ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    if (key === "Unique ID" && !isAbsent(value)) continue;
    if (isAbsent(value) || /^\d+$/.test(key)) {
      const reason = isAbsent(value) ? "not_available" : "ambiguous";
      if (
        (valueOf(series, "aiwatch_gpu_fields_not_exported", {
          source: "rocm-smi",
          field: key,
          reason,
        }) ?? 0) < 1
      )
        problems.push(`${where}: not counted as ${reason}`);
      continue;
    }
    const rule = CARD_KEYS.map(([pattern, expect]) => [pattern.exec(key), expect] as const).find(
      ([m]) => m,
    );
    if (!rule?.[0]) {
      problems.push(`${where}: the test does not know this key`);
      continue;
    }
    for (const expected of rule[1](value, rule[0])) {
      if ("info" in expected) {
        const info = select(series, expected.info, device)[0];
        if (info?.labels[expected.label] !== value.trim())
          problems.push(
            `${where}: ${expected.info} has ${expected.label}=${info?.labels[expected.label]}`,
          );
      } else {
        const actual = valueOf(series, expected.metric, { ...device, ...expected.labels });
        if (!close(actual, expected.value))
          problems.push(`${where}: ${expected.metric} is ${actual}, expected ${expected.value}`);
      }
    }
  }
  return problems;
}

const captures = available
  ? readdirSync(join(fixtures, "gpu", "rocm-smi-json"))
      .filter((f) => f.endsWith(".json"))
      .sort()
  : [];

describe.skipIf(!available)("rocm-smi captures through a stand-in rocm-smi", () => {
  it.each(captures)("%s: every key is exported with its value, or counted", async (file) => {
    const path = join(fixtures, "gpu", "rocm-smi-json", file);
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, Record<string, string>>;
    const tool = writeRocmSmiStandIn(
      temp.path,
      `rocm-smi-${file.replace(/\.json$/, "")}`,
      path,
      ROCM_SMI_ARGS,
    );
    const gpu = await startGpuExporter(
      temp.path,
      `interval: 1h\ntimeout: 30s\nnvidia_smi: { enabled: false }\nrocm_smi: { enabled: true, path: ${JSON.stringify(tool)}, processes: true }\nxid: { enabled: false }`,
    );
    try {
      const series = await gpu.until("the first rocm-smi reading", (s) =>
        firstPollEnded(s) ? s : undefined,
      );
      expect(
        valueOf(series, "aiwatch_gpu_source_up", { source: "rocm-smi" }),
        gpu.logs.join(""),
      ).toBe(1);
      const cards = Object.keys(json).filter((k) => k.startsWith("card"));
      expect(valueOf(series, "aiwatch_gpu_devices", { source: "rocm-smi" })).toBe(cards.length);
      const problems = cards.flatMap((card) => checkCard(series, card.slice(4), json[card] ?? {}));
      // System keys: the driver version on every card, processes, the topology matrix.
      for (const [key, value] of Object.entries(json["system"] ?? {})) {
        const topology =
          /^\(Topology\) (Weight|Hops|Link type) between DRM devices (\d+) and (\d+)$/.exec(key);
        if (key === "Driver version")
          for (const card of cards)
            if (
              select(series, "aiwatch_gpu_info", { gpu: card.slice(4), driver_version: value })
                .length !== 1
            )
              problems.push(`driver version missing on ${card}`);
        if (topology) {
          const labels = { gpu: topology[2] ?? "", peer_gpu: topology[3] ?? "" };
          const found =
            topology[1] === "Link type"
              ? valueOf(series, "aiwatch_gpu_topology_link_type", {
                  ...labels,
                  type: value.toLowerCase(),
                })
              : valueOf(series, `aiwatch_gpu_topology_link_${topology[1]?.toLowerCase()}`, labels);
          if (found !== (topology[1] === "Link type" ? 1 : Number(value)))
            problems.push(`${key}: ${found}`);
        }
        const pid = /^PID(\d+)$/.exec(key)?.[1];
        if (pid !== undefined) {
          const [name, , vram] = value.split(", ");
          if (
            valueOf(series, "aiwatch_gpu_process_memory_used_bytes", {
              pid,
              process_name: name ?? "",
            }) !== Number(vram)
          )
            problems.push(`${key}: process memory missing`);
        }
        if (!topology && pid === undefined && key !== "Driver version")
          problems.push(`system ${key}: the test does not know this key`);
      }
      expect(problems).toEqual([]);
      const unexpected = select(series, "aiwatch_gpu_fields_not_exported").filter((s) =>
        ["invalid", "unrecognized"].includes(s.labels["reason"] ?? ""),
      );
      expect(unexpected).toEqual([]);
      expect(select(series, "aiwatch_gpu_info", { vendor: "amd" })).toHaveLength(cards.length);
    } finally {
      await gpu.exporter.stop();
    }
  });

  it("MI100 on ROCm 6.0.2: hand-checked values of card 0", async () => {
    const path = join(fixtures, "gpu", "rocm-smi-json", "mi100_rocm602.json");
    const tool = writeRocmSmiStandIn(temp.path, "rocm-smi-mi100", path, ROCM_SMI_ARGS);
    const gpu = await startGpuExporter(
      temp.path,
      `interval: 1h\ntimeout: 30s\nnvidia_smi: { enabled: false }\nrocm_smi: { enabled: true, path: ${JSON.stringify(tool)} }\nxid: { enabled: false }`,
    );
    try {
      const series = await gpu.until("a reading", (s) =>
        valueOf(s, "aiwatch_gpu_source_up", { source: "rocm-smi" }) === 1 ? s : undefined,
      );
      const card0 = { gpu: "0", uuid: "0x79ccd55167a2124a" };
      expect(
        valueOf(series, "aiwatch_gpu_temperature_celsius", { ...card0, sensor: "junction" }),
      ).toBe(55);
      expect(valueOf(series, "aiwatch_gpu_memory_total_bytes", card0)).toBe(34342961152);
      expect(valueOf(series, "aiwatch_gpu_memory_used_bytes", card0)).toBe(6750208);
      expect(valueOf(series, "aiwatch_gpu_power_draw_watts", card0)).toBe(36);
      expect(valueOf(series, "aiwatch_gpu_power_limit_watts", { ...card0, limit: "current" })).toBe(
        290,
      );
      expect(valueOf(series, "aiwatch_gpu_clock_hertz", { ...card0, clock: "memory" })).toBe(
        1200e6,
      );
      expect(valueOf(series, "aiwatch_gpu_voltage_volts", card0)).toBe(0.662);
      expect(
        select(series, "aiwatch_gpu_info", {
          ...card0,
          name: "Arcturus GL-XL [Instinct MI100]",
          pci_bus_id: "0000:83:00.0",
        }),
      ).toHaveLength(1);
      // The per-process columns rocm-smi prints are only read when processes are asked for.
      expect(select(series, "aiwatch_gpu_process_memory_used_bytes")).toEqual([]);
    } finally {
      await gpu.exporter.stop();
    }
  });
});
