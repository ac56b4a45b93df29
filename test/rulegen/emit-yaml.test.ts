import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { emitFast, emitYaml, NotFastPath, YAML_OPTIONS } from "../../rulegen/render/emit-yaml.js";
import { repoPath } from "../support/fixtures.js";
import { seededRandom } from "../support/seeded-random.js";

/** Every generated YAML file in the repository: rulegen's goldens and examples. */
function generatedFiles(): string[] {
  const golden = repoPath("test/rulegen/golden");
  return [
    ...readdirSync(golden)
      .filter((f) => f.endsWith(".yml"))
      .map((f) => `${golden}/${f}`),
    ...readdirSync(`${golden}/targets`).map((f) => `${golden}/targets/${f}`),
    repoPath("examples/generated/aiwatch.rules.yml"),
    repoPath("examples/generated/aiwatch.test.yml"),
  ];
}

/** Characters that change how yaml quotes a string: indicators, spaces, digits, markers. */
const ALPHABET = [
  ..."aZe x0159.+-:#?'\"%@`&*!|>,[]{}~\t\n",
  "\u0085",
  "\u00a0",
  "\u2028",
  "\u0007",
  "\ud800",
  "😀",
  "é",
  "---",
  "...",
  "true",
  "null",
  "0x1f",
  ".inf",
  "1e5",
  "0o7",
  "5m",
  ": ",
  " #",
];

function randomString(next: () => number): string {
  const length = Math.floor(next() * 8);
  let text = "";
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)] ?? "";
  return text;
}

describe("emitYaml", () => {
  it("writes every generated file byte for byte as yaml's stringify does, without falling back", () => {
    const files = generatedFiles();
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const body = text.slice(text.search(/^[^#\n]/m));
      const document: unknown = parse(body);
      expect(stringify(document, YAML_OPTIONS), file).toBe(body);
      expect(emitFast(document), file).toBe(body);
    }
  });

  it("quotes random strings as yaml does, as values and keys at every depth", () => {
    const next = seededRandom(20240518);
    for (let i = 0; i < 3000; i++) {
      const key = randomString(next) || "k";
      const value = randomString(next);
      const document = {
        [key]: value,
        list: [value, { [key]: value, nested: [[value]] }],
        deeper: { a: { b: { [key]: [value, value] } } },
      };
      expect(emitYaml(document), JSON.stringify(document)).toBe(stringify(document, YAML_OPTIONS));
    }
  });

  it("writes numbers, booleans, empty collections and multi-line text as yaml does", () => {
    const document = {
      numbers: [0, -0, 1.5, 1e21, 1e-7, NaN, Infinity, -Infinity, 42],
      flags: [true, false],
      empty: { list: [], map: {}, onlyUndefined: { x: undefined } },
      skipped: undefined,
      text: ["line 1\nline 2", "trailing\n", "keep\n\n", "  indented\nnext", "tab\t#x"],
      items: [[], {}, [[1, 2], [3]], { a: [] }],
      "key: with colon": "v",
    };
    expect(emitFast(document)).toBe(stringify(document, YAML_OPTIONS));
  });

  it("hands what it does not write itself to yaml, with the same result", () => {
    const withNulls = { a: null, b: [null, 1], c: { d: null } };
    expect(() => emitFast(withNulls)).toThrow(NotFastPath);
    expect(emitYaml(withNulls)).toBe(stringify(withNulls, YAML_OPTIONS));
    const longKey = { ["k".repeat(1100)]: 1 };
    expect(emitYaml(longKey)).toBe(stringify(longKey, YAML_OPTIONS));
    expect(emitYaml("--- top-level scalar")).toBe(stringify("--- top-level scalar", YAML_OPTIONS));
  });
});
