import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { runProcess } from "../../core/run-process.js";
import { compileSpecs, hasErrors } from "../../rulegen/compile.js";
import { embeddedRuleGroups } from "../../rulegen/targets/embedded-groups.js";
import { reads, splitChainedGroups } from "../../rulegen/targets/split-chained-groups.js";
import { TARGETS } from "../../spec/model/target.js";
import type { Target } from "../../spec/model/target.js";
import { repoPath } from "../support/fixtures.js";
import { expectGolden } from "../support/golden.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";
import { PRESET_CASES, VALID_CASES } from "./compile-case.js";

const SPECS = [
  "examples/aiwatch.yaml",
  "examples/presets.yaml",
  ...[...VALID_CASES, ...PRESET_CASES].map((n) => `test/rulegen/cases/valid/${n}.yaml`),
];
const promtool = requireBinaries("promtool");
const vmalert = requireBinaries("vmalert");
const temp = makeTempDir("targets");
afterAll(() => temp.remove());

/** Every spec compiled for one target, written to its own folder; returns the rule files. */
function compileAll(target: Target): string[] {
  const dir = join(temp.path, target);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  // Each spec on its own: specs compiled together must not share monitor names.
  for (const file of SPECS) {
    const result = compileSpecs(
      [
        {
          file,
          text: readFileSync(repoPath(file), "utf8"),
          displayName: file.split("/").pop() ?? file,
        },
      ],
      { target },
    );
    expect(hasErrors(result.diagnostics), formatDiagnostics(result.diagnostics)).toBe(false);
    for (const spec of result.specs)
      for (const generated of spec.files) {
        writeFileSync(join(dir, generated.name), generated.content);
        if (!generated.name.endsWith(".test.yml")) files.push(join(dir, generated.name));
      }
  }
  return files;
}

describe("target profiles", () => {
  it("splits a group where a rule reads a recording of the same group (vmalert)", () => {
    const plan = splitChainedGroups({
      groups: [
        {
          name: "g",
          intervalMs: 60_000,
          rules: [
            { kind: "record", record: "a:x:avg", expr: "avg(x)", labels: {} },
            { kind: "record", record: "a:x:avg2", expr: "a:x:avg * 2", labels: {} },
            { kind: "record", record: "a:y:avg", expr: "avg(y)", labels: {} },
            {
              kind: "alert",
              alert: "A",
              expr: "a:x:avg2 > a:y:avg",
              forMs: 0,
              keepFiringForMs: undefined,
              labels: {},
              annotations: {},
            },
          ],
        },
      ],
    });
    expect(
      plan.groups.map((g) => [
        g.name,
        g.rules.map((r) => (r.kind === "record" ? r.record : r.alert)),
      ]),
    ).toEqual([
      ["g", ["a:x:avg", "a:y:avg"]],
      ["g-stage2", ["a:x:avg2"]],
      ["g-stage3", ["A"]],
    ]);
    expect(reads("a:x:avg2 > 1", "a:x:avg")).toBe(false);
  });

  it("warns, with positions, where vmalert cannot do what the spec asks", () => {
    const result = compileSpecs(
      [
        {
          file: "examples/aiwatch.yaml",
          text: readFileSync(repoPath("examples/aiwatch.yaml"), "utf8"),
          displayName: "aiwatch.yaml",
        },
      ],
      { target: "vmalert" },
    );
    expect(formatDiagnostics(result.diagnostics)).toBe(
      [
        "examples/aiwatch.yaml:28:22: warning target-limitation: vmalert: keep_firing_for is not supported by vmalert 1.79 (Debian bookworm) and is left out",
        "examples/aiwatch.yaml:37:7: warning target-limitation: vmalert: MetricsQL drops NaN samples, so this monitor only sees ±Inf there; count non-finite values at the source instead (aiwatch_training_nonfinite_values_total, preset training-loss-not-finite)",
        "examples/aiwatch.yaml:133:22: warning target-limitation: vmalert: keep_firing_for is not supported by vmalert 1.79 (Debian bookworm) and is left out",
        "",
      ].join("\n"),
    );
    expect(result.specs[0]?.files.map((f) => f.name)).toEqual(["aiwatch.rules.yml"]);
  });

  for (const target of TARGETS) {
    it(`${target}: the example spec's output matches its golden file`, () => {
      const result = compileSpecs(
        [
          {
            file: "examples/aiwatch.yaml",
            text: readFileSync(repoPath("examples/aiwatch.yaml"), "utf8"),
            displayName: "../../../../examples/aiwatch.yaml",
          },
        ],
        { target },
      );
      const file = result.specs[0]?.files[0];
      expect(file).toBeDefined();
      expectGolden(
        repoPath("test/rulegen/golden/targets", `${target}.${file?.name ?? ""}`),
        file?.content ?? "",
      );
    });
  }

  it("wraps the groups as each target expects", () => {
    const read = (target: Target, name: string) =>
      parse(
        readFileSync(repoPath("test/rulegen/golden/targets", `${target}.${name}`), "utf8"),
      ) as Record<string, unknown>;
    expect(read("mimir", "aiwatch.rules.yml")["namespace"]).toBe("aiwatch");
    const thanos = read("thanos", "aiwatch.rules.yml")["groups"] as Record<string, unknown>[];
    expect(thanos.every((g) => g["partial_response_strategy"] === "abort")).toBe(true);
    const operator = read("prometheus-operator", "aiwatch.prometheusrule.yml");
    expect(operator).toMatchObject({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "aiwatch-aiwatch" },
    });
  });

  it.skipIf(!promtool.available)(
    "promtool check rules passes on every target's output (embedded groups for wrapped formats)",
    async () => {
      for (const target of TARGETS) {
        const files = compileAll(target).map((file) => {
          const groups = `${file}.groups.yml`;
          writeFileSync(groups, embeddedRuleGroups(readFileSync(file, "utf8")));
          return groups;
        });
        const check = await runProcess(promtool.paths.promtool, ["check", "rules", ...files], {
          timeoutMs: 120_000,
        });
        expect(check.exitCode, `${target}: ${check.stdout}${check.stderr}`).toBe(0);
      }
    },
    180_000,
  );

  it.skipIf(!vmalert.available)(
    "vmalert -dryRun accepts the vmalert profile, and rejects the Prometheus form it replaces",
    async () => {
      const files = compileAll("vmalert");
      const accepted = await runProcess(
        vmalert.paths.vmalert,
        ["-dryRun", ...files.map((f) => `-rule=${f}`)],
        { timeoutMs: 120_000 },
      );
      expect(accepted.exitCode, accepted.stdout + accepted.stderr).toBe(0);
      const prometheusForm = compileAll("prometheus").find((f) => f.endsWith("seasonal.rules.yml"));
      const rejected = await runProcess(
        vmalert.paths.vmalert,
        ["-dryRun", `-rule=${prometheusForm}`],
        {
          timeoutMs: 60_000,
        },
      );
      expect(rejected.exitCode).not.toBe(0);
      expect(rejected.stdout + rejected.stderr).toContain(
        "unknown fields in rule: keep_firing_for",
      );
    },
    180_000,
  );
});
