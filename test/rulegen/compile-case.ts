import { readFileSync } from "node:fs";
import { compileSpecs } from "../../rulegen/compile.js";
import type { CompileResult } from "../../rulegen/compile.js";
import { repoPath } from "../support/fixtures.js";

/** Compiles a spec from the repository as the CLI would, named by its repository path. */
export function compileRepoSpec(
  relativePath: string,
  displayName = relativePath.split("/").pop() ?? relativePath,
): CompileResult {
  return compileSpecs([
    { file: relativePath, text: readFileSync(repoPath(relativePath), "utf8"), displayName },
  ]);
}

export const VALID_CASES = [
  "anomaly",
  "threshold",
  "zscore",
  "non-finite",
  "stall",
  "absent",
  "increase",
  "robust",
  "seasonal",
  "spike",
  "trend",
  "forecast",
  "ratio",
  "slo-burn-rate",
  "self-monitoring",
  "units",
] as const;

/** Golden-only cases: their promtool tests run per preset in presets.test.ts. */
export const PRESET_CASES = ["presets", "presets-dcgm"] as const;
