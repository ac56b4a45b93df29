import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoPath } from "../support/fixtures.js";

/** Source folders whose help texts, errors and comments point readers at docs/. */
const SOURCES = [
  "bin",
  "cli",
  "core",
  "spec",
  "rulegen",
  "exporters",
  "webhook-receiver",
  "dashboards",
  "demo",
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

describe("references to docs/ in the code", () => {
  it("name pages that exist (a help text once sent readers to a docs/web-config.md that never was)", () => {
    const missing: string[] = [];
    let seen = 0;
    for (const file of SOURCES.flatMap((s) => sourceFiles(repoPath(s)))) {
      // A path after "/" is another project's (an exporter-toolkit URL), not ours.
      for (const match of readFileSync(file, "utf8").matchAll(/(?<![\w/.-])docs\/[\w-]+\.md/g)) {
        seen++;
        if (!existsSync(repoPath(match[0])))
          missing.push(`${relative(repoPath(), file)}: ${match[0]}`);
      }
    }
    expect(missing).toEqual([]);
    expect(seen).toBeGreaterThanOrEqual(5);
  });
});
