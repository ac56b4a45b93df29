import { compileSpecs } from "../../rulegen/compile.js";
import type { Benchmark } from "../support/benchmark.js";
import { timeMedian } from "../support/benchmark.js";
import { syntheticSpec } from "./synthetic-spec.js";

const MONITORS = 1000;
const BUDGET_MS = 1000;

/** DESIGN.md: 1,000 monitors compiled, with their promtool tests, in under a second. */
export const rulegenCompileBenchmark: Benchmark = {
  id: "rulegen-compile",
  name: "compile 1,000 monitors with tests",
  part: "rulegen",
  async run() {
    const text = syntheticSpec(MONITORS);
    let files = 0;
    let bytes = 0;
    const { medianMs } = await timeMedian(() => {
      const result = compileSpecs([
        { file: "synthetic.yaml", text, displayName: "synthetic.yaml" },
      ]);
      if (result.diagnostics.length > 0) throw new Error(result.diagnostics[0]?.message);
      files = result.specs.flatMap((s) => s.files).length;
      bytes = result.specs.flatMap((s) => s.files).reduce((n, f) => n + f.content.length, 0);
    }, 7);
    return [
      {
        what: `compile ${MONITORS} monitors (rules + tests, ${files} files, ${(bytes / 1e6).toFixed(1)} MB)`,
        value: medianMs,
        unit: "ms",
        baselineName: "budget",
        baseline: BUDGET_MS,
        budget: "< 1000 ms",
        withinBudget: medianMs < BUDGET_MS,
      },
    ];
  },
};
