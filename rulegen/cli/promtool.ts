import { findBinary } from "../../core/find-binary.js";
import { runProcess } from "../../core/run-process.js";
import type { ProcessResult } from "../../core/run-process.js";

export interface PromtoolRun {
  readonly step: string;
  readonly result: ProcessResult;
}

export function findPromtool(
  env: Readonly<Record<string, string | undefined>>,
  explicit?: string,
): string | undefined {
  return findBinary(["promtool"], env, explicit ?? env["AIWATCH_PROMTOOL"]);
}

/** `promtool check rules` on the rule files, then `promtool test rules` on the test files. */
export async function checkAndTestRules(
  promtool: string,
  ruleFiles: readonly string[],
  testFiles: readonly string[],
  cwd: string,
): Promise<PromtoolRun[]> {
  const runs: PromtoolRun[] = [];
  if (ruleFiles.length > 0) {
    runs.push({
      step: "promtool check rules",
      result: await runProcess(promtool, ["check", "rules", ...ruleFiles], {
        cwd,
        timeoutMs: 120_000,
      }),
    });
  }
  if (testFiles.length > 0) {
    runs.push({
      step: "promtool test rules",
      result: await runProcess(promtool, ["test", "rules", ...testFiles], {
        cwd,
        timeoutMs: 600_000,
      }),
    });
  }
  return runs;
}
