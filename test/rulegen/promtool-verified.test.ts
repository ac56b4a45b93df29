import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../../core/run-process.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";
import { compileRepoSpec, VALID_CASES } from "./compile-case.js";

const { available, paths } = requireBinaries("promtool");
const temp = makeTempDir("promtool");
afterAll(() => temp.remove());

function writeCompiled(specPath: string, dir: string): { rules: string; tests: string } {
  const result = compileRepoSpec(specPath);
  expect(result.diagnostics).toEqual([]);
  const names: string[] = [];
  for (const file of result.specs[0]?.files ?? []) {
    writeFileSync(join(dir, file.name), file.content);
    names.push(file.name);
  }
  const [rules = "", tests = ""] = names;
  return { rules, tests };
}

describe.skipIf(!available)("generated rules and tests under promtool 2.42", () => {
  for (const spec of [
    "examples/aiwatch.yaml",
    ...VALID_CASES.map((n) => `test/rulegen/cases/valid/${n}.yaml`),
  ]) {
    it(`${spec}: promtool check rules and promtool test rules pass`, async () => {
      const { rules, tests } = writeCompiled(spec, temp.path);
      const check = await runProcess(paths.promtool, ["check", "rules", rules], { cwd: temp.path });
      expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      const test = await runProcess(paths.promtool, ["test", "rules", tests], { cwd: temp.path });
      expect(test.exitCode, test.stdout + test.stderr).toBe(0);
      // The example spec's tests take ~20 s of CPU; a shared machine stretches that.
    }, 240_000);
  }

  it.each([
    // A burn-rate threshold no burst reaches: the page pair's alert goes missing.
    ["slo-burn-rate", "/ 0.001 > 14.4", "/ 0.001 > 1440", "InferenceAvailability"],
    // A margin floor ten times wider: the robust anomaly no longer leaves the band.
    ["robust", "0.05 * abs(model:", "0.5 * abs(model:", "LatencyShift"],
    // No absolute floor: a series flat at 0 scores +Inf deviations on a hair's change.
    ["zscore", ", 0.001)", ", 0)", "LossSpike"],
    ["robust", ", 0.003)", ", 0)", "LatencyShift"],
    // A bound ten times wider: the spike no longer leaves it.
    ["anomaly", "3.5 * (", "35 * (", "RequestLatencyAnomaly"],
    // Without half the usual range as the spread's floor, a sample inside the bound pages.
    ["anomaly", "0.5 * (", "0 * (", "RequestLatencyAnomaly"],
    // Without the last days' peaks in the bound, a lasting shift pages for hours.
    [
      "anomaly",
      'max_over_time(model:request_latency_anomaly:max1h{monitor="request-latency-anomaly"}[3d12h])',
      '-Inf * max_over_time(model:request_latency_anomaly:max1h{monitor="request-latency-anomaly"}[3d12h])',
      "pages once on a lasting shift",
    ],
    // Without the season, the recurring step pages again.
    [
      "seasonal",
      "avg without(season) (last_over_time(",
      "0 * avg without(season) (last_over_time(",
      "RequestRateSeasonal",
    ],
  ])(
    "the %s tests fail when its rule is broken",
    async (name, from, to, alert) => {
      const dir = makeTempDir("mutant");
      try {
        const { rules, tests } = writeCompiled(`test/rulegen/cases/valid/${name}.yaml`, dir.path);
        const path = join(dir.path, rules);
        const original = readFileSync(path, "utf8");
        expect(original).toContain(from);
        writeFileSync(path, original.split(from).join(to));
        const test = await runProcess(paths.promtool, ["test", "rules", tests], { cwd: dir.path });
        expect(test.exitCode).not.toBe(0);
        expect(test.stdout + test.stderr).toContain(alert);
      } finally {
        dir.remove();
      }
    },
    240_000,
  );

  it("the generated tests fail when a rule is wrong (they can fail)", async () => {
    const dir = makeTempDir("mutant");
    try {
      const { rules, tests } = writeCompiled("test/rulegen/cases/valid/threshold.yaml", dir.path);
      const path = join(dir.path, rules);
      // Raise drift-score-high's threshold far above the test's anomaly.
      const mutated = readFileSync(path, "utf8").replace(") > 0.2", ") > 20");
      expect(mutated).not.toBe(readFileSync(path, "utf8"));
      writeFileSync(path, mutated);
      const test = await runProcess(paths.promtool, ["test", "rules", tests], { cwd: dir.path });
      expect(test.exitCode).not.toBe(0);
      expect(test.stdout + test.stderr).toContain("DriftScoreHigh");
    } finally {
      dir.remove();
    }
  });
});
