import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { compileSpecs } from "../../rulegen/compile.js";
import { RULEGEN_CODES } from "../../spec/diagnostics/codes.js";
import { repoPath } from "../support/fixtures.js";
import { expectGolden } from "../support/golden.js";

const dir = repoPath("test/rulegen/cases/invalid");
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("invalid specs: every error, with file:line:col, code and message", () => {
  it("has at least 20 golden cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of cases) {
    it(file, () => {
      const relative = `test/rulegen/cases/invalid/${file}`;
      const result = compileSpecs([
        { file: relative, text: readFileSync(join(dir, file), "utf8"), displayName: file },
      ]);
      expect(result.specs).toEqual([]);
      expect(result.diagnostics.length).toBeGreaterThan(0);
      for (const d of result.diagnostics) {
        expect(Object.keys(RULEGEN_CODES)).toContain(d.code);
        expect(d.position).toBeDefined();
      }
      expectGolden(
        join(dir, file.replace(/\.yaml$/, ".txt")),
        formatDiagnostics(result.diagnostics),
      );
    });
  }

  it("reports duplicate monitor names across specs compiled together", () => {
    const spec = (name: string): string =>
      `version: aiwatch/v1\nname: ${name}\ndefaults: { runbook_base_url: https://r.example }\nmonitors:\n  - { name: loss-high, layer: model, signal: x, detector: { type: threshold, above: 1 } }\n`;
    const result = compileSpecs([
      { file: "a.yaml", text: spec("a"), displayName: "a.yaml" },
      { file: "b.yaml", text: spec("b"), displayName: "b.yaml" },
    ]);
    expect(formatDiagnostics(result.diagnostics)).toBe(
      'b.yaml:5:13: error duplicate-name: monitor name "loss-high" is already used in a.yaml\n',
    );
  });
});
