import { describe, expect, it } from "vitest";
import { z } from "zod";
import { validateAgainstSchema } from "../../core/config/schema-diagnostics.js";
import { closestMatch } from "../../core/config/closest-match.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { parseSourceDocument } from "../../core/yaml/source-document.js";

function parse(text: string) {
  const result = parseSourceDocument("c.yaml", text);
  if (!result.ok) throw new Error("unexpected YAML error");
  return result.document;
}

describe("YAML with positions", () => {
  const doc = parse("a:\n  b: [1, 2]\n  c: 'quoted'\n");

  it("finds the position of values and keys", () => {
    expect(doc.positionOf(["a", "b", 1])).toEqual({ line: 2, col: 10 });
    expect(doc.keyPositionOf(["a", "c"])).toEqual({ line: 3, col: 3 });
    expect(doc.positionOf(["a", "missing"])).toEqual({ line: 2, col: 3 });
  });

  it("locates the content of a quoted scalar", () => {
    expect(doc.scalarSourceOf(["a", "c"])).toEqual({ offset: 21, style: "single" });
  });

  it("reports syntax errors with line and column", () => {
    const result = parseSourceDocument("bad.yaml", "a: [1, 2\n");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics[0]?.position?.line).toBeGreaterThan(0);
  });
});

describe("schema validation reports every problem where it is", () => {
  const schema = z.strictObject({
    name: z.string(),
    count: z.number(),
    mode: z.enum(["fast", "slow"]),
  });

  it("collects unknown, missing, wrong-typed and invalid values at once", () => {
    const result = validateAgainstSchema(parse("name: 3\nmode: quick\ncuont: 1\n"), schema);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatDiagnostics(result.diagnostics)).toBe(
      [
        'c.yaml:1:1: error missing-key: missing required key "count" in the document',
        "c.yaml:1:7: error wrong-type: name: expected a string, got number 3",
        'c.yaml:2:7: error invalid-value: mode: expected "fast", "slow" (one of), got "quick"',
        'c.yaml:3:1: error unknown-key: unknown key "cuont" in the document (did you mean "count"?)',
        "",
      ].join("\n"),
    );
  });

  it("suggests only close matches", () => {
    expect(closestMatch("treshold", ["threshold", "window"])).toBe("threshold");
    expect(closestMatch("zzz", ["threshold", "window"])).toBeUndefined();
  });
});
