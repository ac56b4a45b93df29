import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { runProcess } from "../../core/run-process.js";
import { runCli } from "../../cli/main.js";
import { compileSpecs } from "../../rulegen/compile.js";
import { PRESETS } from "../../spec/presets/catalogue.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";

const { available, paths } = requireBinaries("promtool");
const temp = makeTempDir("presets");
afterAll(() => temp.remove());

function spec(name: string, monitors: string[]): string {
  return [
    "version: aiwatch/v1",
    `name: ${name}`,
    "defaults: { runbook_base_url: https://runbooks.example.com }",
    "monitors:",
    ...monitors.map((m) => `  - ${m}`),
    "",
  ].join("\n");
}

function compile(text: string) {
  const result = compileSpecs([{ file: "spec.yaml", text, displayName: "spec.yaml" }]);
  expect(formatDiagnostics(result.diagnostics)).toBe("");
  return result;
}

/** Every preset alone, and every GPU preset on dcgm-exporter's names with both spellings. */
const VARIANTS = PRESETS.flatMap((preset) => [
  { file: preset.name, monitor: `{ preset: ${preset.name} }` },
  ...(preset.gpu
    ? [
        {
          file: `${preset.name}-dcgm`,
          monitor: `{ preset: { name: ${preset.name}, source: dcgm } }`,
        },
        {
          file: `${preset.name}-dcgm-hostname`,
          monitor: `{ preset: { name: ${preset.name}, source: dcgm, hostname_label: hostname } }`,
        },
      ]
    : []),
]);

describe("presets", () => {
  it("wires related monitors: a loss spike points at drift, GPU errors and LR changes present", () => {
    const result = compile(
      spec("related", [
        "{ preset: training-loss-spike }",
        "{ preset: feature-drift, name: drift-psi }",
        "{ preset: { name: gpu-xid-errors, source: dcgm } }",
        "{ preset: learning-rate-changed }",
      ]),
    );
    const monitors = result.specs[0]?.model.monitors ?? [];
    expect(monitors.find((m) => m.name === "training-loss-spike")?.related).toEqual([
      "learning-rate-changed",
      "drift-psi",
      "gpu-xid-errors",
    ]);
    // Related monitors the spec does not have are left out, not reported as unknown.
    expect(monitors.find((m) => m.name === "drift-psi")?.related).toEqual([]);
  });

  it.skipIf(!available)(
    "fires learning-rate-changed on a learning rate's own scale (3e-4 dropping tenfold)",
    async () => {
      const dir = join(temp.path, "lr");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "spec.yaml"), spec("lr", ["{ preset: learning-rate-changed }"]));
      const start = 1_700_000_000;
      const rows = ["timestamp,value"];
      for (let s = 0; s < 3 * 3600; s += 15)
        rows.push(`${start + s},${s < 2 * 3600 ? 3e-4 : 3e-5}`);
      writeFileSync(join(dir, "lr.csv"), `${rows.join("\n")}\n`);
      let out = "";
      const code = await runCli(
        ["rules", "backtest", "spec.yaml", "--series", "lr.csv", "--format", "json"],
        { stdout: (t) => (out += t), stderr: (t) => (out += t), cwd: dir, env: process.env },
      );
      expect(code, out).toBe(0);
      const report = JSON.parse(out) as { monitors: { intervals: { startMs: number }[] }[] };
      const intervals = report.monitors[0]?.intervals ?? [];
      // Fires after the drop (at 2h), not before: the absolute floor no longer hides it.
      expect(intervals.length).toBeGreaterThan(0);
      expect(intervals[0]?.startMs).toBeGreaterThan((start + 2 * 3600) * 1000);
    },
    60_000,
  );

  it("lets every field be overridden, merging detector parameters", () => {
    const result = compile(
      spec("override", [
        "{ preset: learning-rate-changed, name: lr-jump, severity: warning, for: 5m, detector: { threshold: 8 }, related: [] }",
      ]),
    );
    const monitor = result.specs[0]?.model.monitors[0];
    expect(monitor).toMatchObject({
      name: "lr-jump",
      severity: "warning",
      forMs: 300_000,
      detector: { type: "zscore", window: "30m", threshold: 8, min_relative_stddev: 0.05 },
      related: [],
    });
  });

  it("reads XIDs from aiwatch's all-codes counter, which exists before the first XID", () => {
    const monitor = compile(spec("xid", ["{ preset: gpu-xid-errors }"])).specs[0]?.model
      .monitors[0];
    expect(monitor?.signal.expr).toBe("aiwatch_gpu_xid_events_total");
  });

  it("reads dcgm-exporter's default counters, and only the two fields the README says to enable", () => {
    // NVIDIA/dcgm-exporter etc/default-counters.csv (fields the GPU presets could use).
    const defaults = [
      "DCGM_FI_DEV_XID_ERRORS",
      "DCGM_FI_DEV_ROW_REMAP_FAILURE",
      "DCGM_FI_DEV_GPU_UTIL",
      "DCGM_FI_DEV_FB_USED",
      "DCGM_FI_DEV_FB_FREE",
    ];
    const mustBeEnabled = ["DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS"];
    const used = new Set<string>();
    for (const preset of PRESETS.filter((p) => p.gpu)) {
      const result = compile(
        spec(preset.name, [`{ preset: { name: ${preset.name}, source: dcgm } }`]),
      );
      const rules = result.specs[0]?.files[0]?.content ?? "";
      for (const field of rules.match(/DCGM_FI_[A-Z_]+/g) ?? []) used.add(field);
    }
    expect([...used].filter((f) => !defaults.includes(f)).sort()).toEqual(mustBeEnabled.sort());
  });

  it.skipIf(!available)(
    "compiles every preset (and its dcgm-exporter forms) into rules whose generated tests pass",
    async () => {
      const testFiles: string[] = [];
      for (const variant of VARIANTS) {
        const result = compile(spec(variant.file, [variant.monitor]));
        for (const file of result.specs[0]?.files ?? [])
          writeFileSync(join(temp.path, file.name), file.content);
        testFiles.push(`${variant.file}.test.yml`);
      }
      const ruleFiles = testFiles.map((f) => f.replace(".test.yml", ".rules.yml"));
      const check = await runProcess(paths.promtool, ["check", "rules", ...ruleFiles], {
        cwd: temp.path,
        timeoutMs: 120_000,
      });
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      const test = await runProcess(paths.promtool, ["test", "rules", ...testFiles], {
        cwd: temp.path,
        timeoutMs: 300_000,
      });
      expect(test.exitCode, test.stdout + test.stderr).toBe(0);
      expect(test.stdout.match(/SUCCESS/g)?.length).toBe(VARIANTS.length);
    },
    300_000,
  );
});
