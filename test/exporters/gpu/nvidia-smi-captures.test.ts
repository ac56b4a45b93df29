import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLOCK_EVENT_REASON_BITS,
  FIELDS_BY_NAME,
} from "../../../exporters/gpu/nvidia-smi/query-fields.js";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { checkCell, close, expectedNumber, isAbsentCell } from "./support/capture-expectations.js";
import { select, valueOf } from "./support/exposition-text.js";
import type { Series } from "./support/exposition-text.js";
import { firstPollEnded, startGpuExporter } from "./support/gpu-exporter.js";
import { nvidiaCaptureCases, nvidiaQueryTxtCase } from "./support/nvidia-replay.js";
import type { NvidiaCase } from "./support/nvidia-replay.js";
import { writeNvidiaSmiStandIn } from "./support/stand-in-tools.js";

const { available, dir: fixtures } = requireFixtures("gpu/nvidia-smi-csv");
const temp = makeTempDir("gpu-captures");
afterAll(() => temp.remove());

let counter = 0;

/** Runs the collector once against a stand-in replaying `c`; returns the scrape and the tool's invocations. */
async function replay(
  c: NvidiaCase,
  extraConfig = "",
): Promise<{ series: Series[]; text: string; runs: string[][] }> {
  const id = `c${counter++}`;
  const log = join(temp.path, `${id}.log`);
  const tool = writeNvidiaSmiStandIn(temp.path, `nvidia-smi-${id}`, { ...c.replay, log });
  const processes = c.replay.queryComputeApps !== null;
  const gpu = await startGpuExporter(
    temp.path,
    `interval: 1h\ntimeout: 30s\nnvidia_smi: { path: ${JSON.stringify(tool)}, processes: ${processes} }\nxid: { enabled: false }\n${extraConfig}`,
  );
  try {
    const { series, text } = await gpu.until("the first nvidia-smi reading", (s, body) =>
      firstPollEnded(s) ? { series: s, text: body } : undefined,
    );
    const runs = readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as string[]);
    return { series, text, runs };
  } finally {
    await gpu.exporter.stop();
  }
}

const cases = available ? [...nvidiaCaptureCases(fixtures), nvidiaQueryTxtCase(fixtures)] : [];

describe.skipIf(!available)("nvidia-smi captures through a stand-in nvidia-smi", () => {
  it.each(cases)(
    "$name: every captured field is exported with its value, or counted as absent",
    async (c) => {
      const { series, runs } = await replay(c);
      expect(valueOf(series, "aiwatch_gpu_source_up", { source: "nvidia-smi" })).toBe(1);
      expect(valueOf(series, "aiwatch_exporter_collector_up", { collector: "gpu" })).toBe(1);

      // The collector asked for exactly the fields the capture has: none missed, none invented.
      const query = runs.find((args) => args[0]?.startsWith("--query-gpu="));
      expect(query?.[1]).toBe("--format=csv");
      expect(new Set(query?.[0]?.slice("--query-gpu=".length).split(","))).toEqual(
        new Set(c.table.names),
      );

      const problems: string[] = [];
      const absentPerField = new Map<string, number>();
      const at = (name: string) => c.table.names.indexOf(name);
      for (const row of c.table.rows) {
        const device = { gpu: row[at("index")] ?? "", uuid: row[at("uuid")] ?? "" };
        c.table.names.forEach((field, i) => {
          const spec = FIELDS_BY_NAME.get(field);
          const cell = row[i] ?? "";
          if (!spec) return problems.push(`${field}: not in the collector's field list`);
          if (isAbsentCell(cell)) absentPerField.set(field, (absentPerField.get(field) ?? 0) + 1);
          const problem = checkCell(series, spec, field, c.table.units[i], cell, device);
          if (problem) problems.push(problem);
        });
      }
      expect(problems).toEqual([]);

      // Absent values are counted once per device and field, and nothing else is left out.
      const counted = new Map<string, number>();
      for (const s of select(series, "aiwatch_gpu_fields_not_exported", { source: "nvidia-smi" })) {
        const field = s.labels["field"] ?? "";
        if (field.startsWith("MIG Device/") || field === "used_gpu_memory") continue;
        counted.set(field, (counted.get(field) ?? 0) + s.value);
      }
      expect(Object.fromEntries(counted)).toEqual(Object.fromEntries(absentPerField));
      const notAbsent = select(series, "aiwatch_gpu_fields_not_exported").filter((s) =>
        ["invalid", "unrecognized", "ambiguous"].includes(s.labels["reason"] ?? ""),
      );
      expect(notAbsent).toEqual([]);
      expect(valueOf(series, "aiwatch_gpu_devices", { source: "nvidia-smi" })).toBe(
        c.table.rows.length,
      );

      // Per-process memory: every captured process is exported or its absent memory counted.
      if (c.computeApps) {
        const apps = c.computeApps;
        const col = (name: string) => apps.names.indexOf(name);
        let absentMemory = 0;
        for (const row of apps.rows) {
          const memory = row[col("used_gpu_memory")] ?? "";
          const labels = {
            pid: row[col("pid")] ?? "",
            process_name: row[col("process_name")] ?? "",
            uuid: row[col("gpu_uuid")] ?? "",
          };
          if (isAbsentCell(memory)) {
            absentMemory++;
            expect(select(series, "aiwatch_gpu_process_memory_used_bytes", labels)).toEqual([]);
          } else {
            const found = valueOf(series, "aiwatch_gpu_process_memory_used_bytes", {
              ...labels,
              gpu: "0",
            });
            expect(close(found, expectedNumber("used_gpu_memory", "MiB", memory))).toBe(true);
          }
        }
        expect(
          valueOf(series, "aiwatch_gpu_fields_not_exported", {
            field: "used_gpu_memory",
            reason: "not_available",
          }) ?? 0,
        ).toBe(absentMemory);
      }
    },
  );

  it.each(cases)("$name: per-reason clock event fields agree with the bitmask", async (c) => {
    const { series } = await replay(c);
    for (const device of select(series, "aiwatch_gpu_clock_event_reasons_active")) {
      const mask = device.value;
      const supported =
        valueOf(series, "aiwatch_gpu_clock_event_reasons_supported", device.labels) ?? 0;
      for (const [bit, reason] of CLOCK_EVENT_REASON_BITS) {
        if ((supported & bit) === 0) continue;
        expect({
          reason,
          active: valueOf(series, "aiwatch_gpu_clock_event_reason_active", {
            ...device.labels,
            reason,
          }),
        }).toEqual({
          reason,
          active: (mask & bit) !== 0 ? 1 : 0,
        });
      }
    }
  });
});

/** Values read by hand from the captures, so the generic check above has a fixed point. */
describe.skipIf(!available)("hand-checked values", () => {
  const byName = (name: string) => cases.find((c) => c.name === name);

  it("H100 under load: memory, power, clocks, temperature, ECC, remapped rows, throttle counters", async () => {
    const c = byName("linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01 (load)");
    if (!c) throw new Error("capture missing");
    const { series } = await replay(c);
    const gpu = { gpu: "0", uuid: "GPU-00000000-0000-0000-0000-000000000000" };
    const row = c.table.rows[0] ?? [];
    const cell = (name: string) => row[c.table.names.indexOf(name)] ?? "";
    expect(cell("memory.used")).toMatch(/^\d+ MiB$/);
    expect(valueOf(series, "aiwatch_gpu_memory_used_bytes", gpu)).toBe(
      parseInt(cell("memory.used"), 10) * 1048576,
    );
    expect(valueOf(series, "aiwatch_gpu_power_draw_watts", gpu)).toBe(
      parseFloat(cell("power.draw")),
    );
    expect(valueOf(series, "aiwatch_gpu_power_limit_watts", { ...gpu, limit: "max" })).toBe(700);
    expect(valueOf(series, "aiwatch_gpu_clock_max_hertz", { ...gpu, clock: "memory" })).toBe(
      2619e6,
    );
    expect(valueOf(series, "aiwatch_gpu_temperature_celsius", { ...gpu, sensor: "gpu" })).toBe(
      Number(cell("temperature.gpu")),
    );
    expect(
      valueOf(series, "aiwatch_gpu_ecc_errors_total", {
        ...gpu,
        error_type: "uncorrected",
        counter_type: "volatile",
      }),
    ).toBe(0);
    expect(
      valueOf(series, "aiwatch_gpu_remapped_rows_banks", { ...gpu, availability: "max" }),
    ).toBe(2560);
    expect(valueOf(series, "aiwatch_gpu_remapped_rows_failure", gpu)).toBe(0);
    expect(valueOf(series, "aiwatch_gpu_performance_state", gpu)).toBe(0);
    expect(valueOf(series, "aiwatch_gpu_recovery_action", { ...gpu, action: "none" })).toBe(1);
    // retired_pages.* print [N/A] on this GPU (it remaps rows instead): absent, never 0.
    expect(select(series, "aiwatch_gpu_retired_pages_total")).toEqual([]);
  });

  it("RTX 4080 under load: software power capping shows in the bitmask, the reason and its counter", async () => {
    const c = byName("linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05 (load)");
    if (!c) throw new Error("capture missing");
    const { series } = await replay(c);
    const gpu = { gpu: "0", uuid: "GPU-00000000-0000-0000-0000-000000000000" };
    const row = c.table.rows[0] ?? [];
    const cell = (name: string) => row[c.table.names.indexOf(name)] ?? "";
    expect(valueOf(series, "aiwatch_gpu_clock_event_reasons_active", gpu)).toBe(
      parseInt(cell("clocks_event_reasons.active"), 16),
    );
    expect(valueOf(series, "aiwatch_gpu_clock_event_reasons_supported", gpu)).toBe(0x1ff);
    const counter = cell("clocks_event_reasons_counters.sw_power_cap");
    expect(
      valueOf(series, "aiwatch_gpu_clock_event_reason_duration_seconds_total", {
        ...gpu,
        reason: "sw_power_cap",
      }),
    ).toBeCloseTo(parseInt(counter, 10) / 1e6, 6);
    expect(valueOf(series, "aiwatch_gpu_utilization_ratio", { ...gpu, engine: "gpu" })).toBe(
      parseInt(cell("utilization.gpu"), 10) / 100,
    );
  });
});

/**
 * nvidia_gpu_exporter's expected output for the same captures: a second reader of the
 * same text. Names differ (theirs are not ours); the values must not.
 */
describe.skipIf(!available)("cross-check with nvidia_gpu_exporter's expected metrics", () => {
  const PAIRS: readonly (readonly [string, string, Record<string, string>])[] = [
    ["nvidia_smi_memory_used_bytes", "aiwatch_gpu_memory_used_bytes", {}],
    ["nvidia_smi_memory_free_bytes", "aiwatch_gpu_memory_free_bytes", {}],
    ["nvidia_smi_memory_total_bytes", "aiwatch_gpu_memory_total_bytes", {}],
    ["nvidia_smi_memory_reserved_bytes", "aiwatch_gpu_memory_reserved_bytes", {}],
    ["nvidia_smi_clocks_current_sm_clock_hz", "aiwatch_gpu_clock_hertz", { clock: "sm" }],
    ["nvidia_smi_clocks_current_memory_clock_hz", "aiwatch_gpu_clock_hertz", { clock: "memory" }],
    [
      "nvidia_smi_clocks_max_graphics_clock_hz",
      "aiwatch_gpu_clock_max_hertz",
      { clock: "graphics" },
    ],
    ["nvidia_smi_power_draw_watts", "aiwatch_gpu_power_draw_watts", {}],
    ["nvidia_smi_power_draw_instant_watts", "aiwatch_gpu_power_draw_instant_watts", {}],
    [
      "nvidia_smi_enforced_power_limit_watts",
      "aiwatch_gpu_power_limit_watts",
      { limit: "enforced" },
    ],
    ["nvidia_smi_temperature_gpu", "aiwatch_gpu_temperature_celsius", { sensor: "gpu" }],
    ["nvidia_smi_utilization_gpu_ratio", "aiwatch_gpu_utilization_ratio", { engine: "gpu" }],
    [
      "nvidia_smi_utilization_encoder_ratio",
      "aiwatch_gpu_utilization_ratio",
      { engine: "encoder" },
    ],
    ["nvidia_smi_clocks_event_reasons_supported", "aiwatch_gpu_clock_event_reasons_supported", {}],
    ["nvidia_smi_clocks_event_reasons_active", "aiwatch_gpu_clock_event_reasons_active", {}],
    [
      "nvidia_smi_clocks_event_reasons_counters_sw_power_cap_seconds",
      "aiwatch_gpu_clock_event_reason_duration_seconds_total",
      { reason: "sw_power_cap" },
    ],
    ["nvidia_smi_pstate", "aiwatch_gpu_performance_state", {}],
    ["nvidia_smi_pcie_link_gen_hostmax", "aiwatch_gpu_pcie_link_generation", { link: "host_max" }],
    [
      "nvidia_smi_ecc_errors_uncorrected_volatile_total",
      "aiwatch_gpu_ecc_errors_total",
      { error_type: "uncorrected", counter_type: "volatile" },
    ],
    [
      "nvidia_smi_ecc_errors_corrected_aggregate_dram",
      "aiwatch_gpu_ecc_location_errors_total",
      { error_type: "corrected", counter_type: "aggregate", location: "dram" },
    ],
  ];
  const withExpected = cases.filter((c) =>
    ["rtx-4080-super", "h100-80gb", "h100-mig"].some((gpu) => c.name.includes(gpu)),
  );

  it.each(withExpected)("$name", async (c) => {
    const expectedFile = join(
      fixtures,
      "gpu",
      "expected-metrics",
      `${c.name.replace(/ \((\w+)\)$/, "__$1")}.metrics`,
    );
    const theirs = parseTheirs(readFileSync(expectedFile, "utf8"));
    const { series } = await replay(c);
    let compared = 0;
    for (const [their, ours, labels] of PAIRS) {
      const expected = theirs.get(their);
      const actual = valueOf(series, ours, { gpu: "0", ...labels });
      if (expected === undefined) {
        expect({ their, actual }).toEqual({ their, actual: undefined });
        continue;
      }
      expect({ ours, labels, close: close(actual, expected) }).toEqual({
        ours,
        labels,
        close: true,
      });
      compared++;
    }
    expect(compared).toBeGreaterThan(12);
  });
});

function parseTheirs(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]));
  }
  return values;
}
