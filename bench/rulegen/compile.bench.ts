import { parse, stringify } from "yaml";
import { compileSpecs } from "../../rulegen/compile.js";
import { emitYaml, YAML_OPTIONS } from "../../rulegen/render/emit-yaml.js";
import type { Benchmark } from "../support/benchmark.js";
import { timeMedian } from "../support/benchmark.js";
import { syntheticSpec } from "./synthetic-spec.js";

const MONITORS = 1000;
const BUDGET_MS = 500;

/**
 * DESIGN.md: 1,000 monitors compiled, with their promtool tests, in under half a second;
 * and, beside it, the YAML writing alone against the `yaml` library's stringify, which
 * it replaces byte for byte.
 */
export const rulegenCompileBenchmark: Benchmark = {
  id: "rulegen-compile",
  name: "compile 1,000 monitors with tests",
  part: "rulegen",
  async run() {
    const text = syntheticSpec(MONITORS);
    const compile = () => {
      const result = compileSpecs([
        { file: "synthetic.yaml", text, displayName: "synthetic.yaml" },
      ]);
      if (result.diagnostics.length > 0) throw new Error(result.diagnostics[0]?.message);
      return result.specs.flatMap((s) => s.files);
    };
    const files = compile();
    const bytes = files.reduce((n, f) => n + f.content.length, 0);
    const { medianMs } = await timeMedian(compile, 7);
    const documents = files.map((f) => parse(f.content) as unknown);
    if (documents.some((d) => emitYaml(d) !== stringify(d, YAML_OPTIONS)))
      throw new Error("emitYaml and yaml's stringify differ");
    const ours = await timeMedian(() => documents.map((d) => emitYaml(d)), 7);
    const library = await timeMedian(() => documents.map((d) => stringify(d, YAML_OPTIONS)), 7);
    return [
      {
        what: `compile ${MONITORS} monitors (rules + tests, ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB)`,
        value: medianMs,
        unit: "ms",
        baselineName: "budget",
        baseline: BUDGET_MS,
        budget: `< ${BUDGET_MS} ms`,
        withinBudget: medianMs < BUDGET_MS,
      },
      {
        what: "write those files' YAML (emitYaml)",
        value: ours.medianMs,
        unit: "ms",
        baselineName: "yaml's stringify, same bytes",
        baseline: library.medianMs,
      },
    ];
  },
};
