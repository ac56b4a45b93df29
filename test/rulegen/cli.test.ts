import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { specJsonSchema } from "../../spec/schema/json-schema.js";
import { repoPath } from "../support/fixtures.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";

const promtool = requireBinaries("promtool");

function io(cwd = repoPath()) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => err.push(t),
      cwd,
      env: process.env,
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

const temp = makeTempDir("cli");
afterAll(() => temp.remove());

describe("aiwatch rules", () => {
  it("keeps the committed example output up to date (the CI check)", async () => {
    const run = io();
    const code = await runCli(
      ["rules", "check", "examples/aiwatch.yaml", "--out", "examples/generated"],
      run.io,
    );
    expect(run.stderr()).toBe("");
    expect(code).toBe(0);
    expect(run.stdout()).toBe("examples/generated: up to date\n");
  });

  it("keeps the committed JSON Schema in sync with the spec definition", () => {
    expect(readFileSync(repoPath("schema/aiwatch.schema.json"), "utf8")).toBe(specJsonSchema());
  });

  it("compiles, then check passes; an edited output makes check exit 1 with a diff", async () => {
    const spec = join(temp.path, "spec.yaml");
    writeFileSync(spec, readFileSync(repoPath("test/rulegen/cases/valid/threshold.yaml"), "utf8"));
    const compile = io(temp.path);
    expect(await runCli(["rules", "compile", "spec.yaml", "--out", "out"], compile.io)).toBe(0);
    expect(compile.stdout()).toContain("wrote out/spec.rules.yml");

    const rules = join(temp.path, "out", "spec.rules.yml");
    writeFileSync(rules, readFileSync(rules, "utf8").replace("> 0.2", "> 0.3"));
    const check = io(temp.path);
    expect(await runCli(["rules", "check", "spec.yaml", "--out", "out"], check.io)).toBe(1);
    expect(check.stdout()).toContain(
      '-        expr: max by (model, feature) (aiwatch_data_drift_score{method="psi"}) > 0.3',
    );
    expect(check.stdout()).toContain(
      '+        expr: max by (model, feature) (aiwatch_data_drift_score{method="psi"}) > 0.2',
    );
    expect(check.stderr()).toBe("1 generated file is out of date; run aiwatch rules compile\n");
  });

  it("reports spec errors on stderr and exits 1", async () => {
    const run = io();
    const code = await runCli(
      [
        "rules",
        "compile",
        "test/rulegen/cases/invalid/08-duplicate-names.yaml",
        "--out",
        temp.path,
      ],
      run.io,
    );
    expect(code).toBe(1);
    expect(run.stderr()).toBe(
      'test/rulegen/cases/invalid/08-duplicate-names.yaml:9:11: error duplicate-name: monitor name "loss-high" is already used by monitors[0]\n1 error\n',
    );
  });

  it("reports unreadable specs as io-error", async () => {
    const run = io();
    expect(await runCli(["rules", "compile", "no-such.yaml", "--out", temp.path], run.io)).toBe(1);
    expect(run.stderr()).toContain("no-such.yaml: error io-error: cannot read spec: ENOENT");
  });

  it.each([
    [["rules"]],
    [["rules", "compile", "x.yaml"]],
    [["rules", "bogus"]],
    [["nope"]],
    [["rules", "compile", "--out"]],
  ])("exits 2 on usage errors: %j", async (argv) => {
    const run = io();
    expect(await runCli(argv, run.io)).toBe(2);
    expect(run.stderr()).toMatch(/Usage/);
  });

  it.skipIf(!promtool.available)(
    "backtests the example series file and scores it against its labelled windows",
    async () => {
      const run = io();
      const code = await runCli(
        [
          "rules",
          "backtest",
          "examples/backtest/spec.yaml",
          "--series",
          "examples/backtest/loss.csv",
          "--labels",
          "examples/backtest/windows.json",
          "--format",
          "json",
        ],
        run.io,
      );
      expect(run.stderr()).toBe("");
      expect(code).toBe(0);
      const report = JSON.parse(run.stdout()) as {
        monitors: { monitor: string; score: { recall: number; falseAlerts: number } }[];
      };
      expect(report.monitors.map((m) => m.monitor)).toEqual([
        "training-loss-spike",
        "training-loss-diverging",
        "loss-outlier",
      ]);
      // The spike and the divergence are both found, and nothing else fires.
      const outlier = report.monitors.find((m) => m.monitor === "loss-outlier");
      expect(outlier?.score).toMatchObject({ recall: 1, falseAlerts: 0 });
    },
    120_000,
  );

  it.each([
    [["rules", "backtest", "examples/backtest/spec.yaml"]],
    [
      [
        "rules",
        "backtest",
        "examples/backtest/spec.yaml",
        "--series",
        "a.csv",
        "--url",
        "http://x",
      ],
    ],
    [["rules", "backtest", "examples/backtest/spec.yaml", "--url", "http://x", "--start", "now"]],
    [["rules", "compile", "examples/aiwatch.yaml", "--out", "x", "--target", "cortex"]],
  ])("exits 2 on backtest and target usage errors: %j", async (argv) => {
    const run = io();
    expect(await runCli(argv, run.io)).toBe(2);
    expect(run.stderr()).toMatch(/Usage/);
  });

  it.each([
    [["rules", "compile", "--help"]],
    [["rules", "check", "-h"]],
    [["rules", "test", "--help"]],
    [["dashboards", "build", "--help"]],
    [["dashboards", "check", "spec.yaml", "-h"]],
  ])("prints usage and exits 0 on a subcommand's --help: %j", async (argv) => {
    const run = io();
    expect(await runCli(argv, run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^Usage:\n {2}aiwatch (rules|dashboards) /);
    expect(run.stderr()).toBe("");
  });

  it.skipIf(!promtool.available)(
    "test checks every target's output, extracting the groups of wrapped formats",
    async () => {
      for (const [target, wrapped] of [
        ["prometheus", undefined],
        ["vmalert", undefined],
        ["mimir", "threshold.rules.yml (mimir namespace file)"],
        ["thanos", "threshold.rules.yml (thanos rule file)"],
        [
          "prometheus-operator",
          "threshold.prometheusrule.yml (prometheus-operator PrometheusRule)",
        ],
      ] as const) {
        const out = join(temp.path, `target-${target}`);
        const compile = io();
        const spec = repoPath("test/rulegen/cases/valid/threshold.yaml");
        expect(
          await runCli(["rules", "compile", spec, "--out", out, "--target", target], compile.io),
          compile.stderr(),
        ).toBe(0);
        const run = io();
        const code = await runCli(
          ["rules", "test", out, "--promtool", promtool.paths.promtool],
          run.io,
        );
        expect(code, `${target}: ${run.stdout()}${run.stderr()}`).toBe(0);
        expect(run.stdout()).toContain("SUCCESS");
        if (wrapped) expect(run.stdout()).toContain(`embedded in ${wrapped}`);
      }
      // The extracted groups are really checked: a broken rule inside a PrometheusRule fails.
      const resource = join(
        temp.path,
        "target-prometheus-operator",
        "threshold.prometheusrule.yml",
      );
      writeFileSync(resource, readFileSync(resource, "utf8").replace("expr: ", "expr: rate("));
      const broken = io();
      expect(
        await runCli(
          [
            "rules",
            "test",
            join(temp.path, "target-prometheus-operator"),
            "--promtool",
            promtool.paths.promtool,
          ],
          broken.io,
        ),
      ).toBe(1);
    },
    180_000,
  );

  it.each([
    [
      ["rules", "compile", "spec.yaml", "--out", "taken"],
      /^taken\/spec\.rules\.yml: error io-error: cannot write: a file is in the way of its directory \((EEXIST|ENOTDIR)\)\n$/,
    ],
    [
      ["rules", "schema", "--out", "taken/schema.json"],
      /^taken\/schema\.json: error io-error: cannot write: a file is in the way of its directory \((EEXIST|ENOTDIR)\)\n$/,
    ],
    [
      ["dashboards", "build", "spec.yaml", "--out", "taken"],
      /^taken\/dashboards\/[\w-]+\.json: error io-error: cannot write: a file is in the way of its directory \((EEXIST|ENOTDIR)\)\n$/,
    ],
  ])(
    "reports an output path it cannot write as io-error and exits 1: %j",
    async (argv, message) => {
      const dir = makeTempDir("unwritable");
      try {
        writeFileSync(join(dir.path, "taken"), "a file, not a directory\n");
        writeFileSync(
          join(dir.path, "spec.yaml"),
          readFileSync(repoPath("test/rulegen/cases/valid/threshold.yaml"), "utf8"),
        );
        const run = io(dir.path);
        expect(await runCli(argv, run.io)).toBe(1);
        expect(run.stderr()).toMatch(message);
        expect(run.stdout()).toBe("");
      } finally {
        dir.remove();
      }
    },
  );

  it("check reports a missing output and a generated file no spec produces any more", async () => {
    const spec = join(temp.path, "gone.yaml");
    writeFileSync(spec, readFileSync(repoPath("test/rulegen/cases/valid/threshold.yaml"), "utf8"));
    expect(
      await runCli(["rules", "compile", "gone.yaml", "--out", "stale"], io(temp.path).io),
    ).toBe(0);
    writeFileSync(join(temp.path, "stale", "hand-written.rules.yml"), "groups: []\n");
    // Only generated rule files count: notes quoting the header and links to folders do not.
    writeFileSync(
      join(temp.path, "stale", "NOTES.md"),
      "# Code generated by aiwatch rulegen (quoted)\n",
    );
    symlinkSync(temp.path, join(temp.path, "stale", "linked-folder.rules.yml"));
    const other = join(temp.path, "other.yaml");
    writeFileSync(other, readFileSync(spec, "utf8"));
    const check = io(temp.path);
    expect(await runCli(["rules", "check", "other.yaml", "--out", "stale"], check.io)).toBe(1);
    expect(check.stdout()).toContain("stale/other.rules.yml: missing\n");
    expect(check.stdout()).toContain("stale/gone.rules.yml: generated but no longer produced\n");
    // A file aiwatch did not write is never reported.
    expect(check.stdout()).not.toContain("hand-written");
    expect(check.stdout()).not.toContain("NOTES.md");
    expect(check.stdout()).not.toContain("linked-folder");
    expect(check.stderr()).toBe("4 generated files are out of date; run aiwatch rules compile\n");
  });

  it("prints its version", async () => {
    const run = io();
    expect(await runCli(["--version"], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^aiwatch \d+\.\d+\.\d+\n$/);
  });
});
