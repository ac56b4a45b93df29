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

describe("the README and docs/", () => {
  const pages = [
    "README.md",
    ...readdirSync(repoPath("docs"))
      .filter((n) => n.endsWith(".md"))
      .map((n) => `docs/${n}`),
  ];

  it("link only to files that exist (relative links and images)", () => {
    const missing: string[] = [];
    let seen = 0;
    for (const page of pages) {
      const text = readFileSync(repoPath(page), "utf8");
      for (const match of text.matchAll(/\]\(((?!https?:|mailto:|#)[^)\s#]+)(?:#[^)]*)?\)/g)) {
        seen++;
        const target = join(repoPath(page), "..", match[1] ?? "");
        if (!existsSync(target)) missing.push(`${page}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
    expect(seen).toBeGreaterThanOrEqual(30);
  });

  it("show the incident page in the README, a real PNG screenshot", () => {
    const readme = readFileSync(repoPath("README.md"), "utf8");
    const image = /!\[[^\]]*incident page[^\]]*\]\(([^)]+\.png)\)/i.exec(readme)?.[1];
    expect(image).toBe("docs/incident-page.png");
    const png = readFileSync(repoPath(image ?? ""));
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    // Width and height from the IHDR chunk: a page screenshot, not an icon.
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(800);
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(600);
  });
});
