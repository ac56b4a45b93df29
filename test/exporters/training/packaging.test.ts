import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runProcess } from "../../../core/run-process.js";
import { repoPath } from "../../support/fixtures.js";

/**
 * What a service or a training script gets from `npm install aiwatch`: the package's
 * `exports` map resolves `aiwatch/training` and `aiwatch/inference` (with types), and the
 * CLI still runs. Needs `npm run build` (npm test runs it first).
 */
describe("the package's public entry points", () => {
  it("resolve by name, with declarations, beside a working CLI", async () => {
    const script =
      "const t = await import('aiwatch/training'); const i = await import('aiwatch/inference');" +
      "console.log(JSON.stringify([Object.keys(t), Object.keys(i).sort()]))";
    const result = await runProcess(process.execPath, ["--input-type=module", "-e", script], {
      cwd: repoPath(),
    });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual([
      ["TrainingClient"],
      [
        "DEFAULT_DURATION_BUCKETS",
        "DEFAULT_IGNORED_PATHS",
        "DEFAULT_TIME_TO_FIRST_TOKEN_BUCKETS",
        "GroundTruthClient",
        "classifyStatus",
        "createInferenceMetrics",
      ],
    ]);
    expect(existsSync(repoPath("dist", "exporters", "training", "public.d.ts"))).toBe(true);
    expect(existsSync(repoPath("dist", "exporters", "inference", "public.d.ts"))).toBe(true);
    const cli = await runProcess(process.execPath, [repoPath("bin", "aiwatch.js"), "--version"]);
    expect(cli.stdout).toMatch(/^aiwatch \d+\.\d+\.\d+/);
  });
});
