import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
// Benchmarks run this file compiled under dist/: the repository is one level up.
const repoRoot = basename(here) === "dist" ? dirname(here) : here;

/**
 * The shared folder of real third-party captures (see its PROVENANCE.md). It lives
 * beside the repository, never inside it; AIWATCH_FIXTURES points elsewhere.
 */
export function fixturesDir(): string {
  return process.env["AIWATCH_FIXTURES"] ?? resolve(repoRoot, "..", "shared", "fixtures");
}

/**
 * Whether the fixtures exist. Tests that need them skip with a visible notice where the
 * folder is absent, and fail under CI=true.
 */
export function requireFixtures(...relativePaths: string[]): {
  readonly available: boolean;
  readonly dir: string;
} {
  const dir = fixturesDir();
  const missing = [dir, ...relativePaths.map((p) => join(dir, p))].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    const message = `fixtures not found: ${missing.join(", ")} (set AIWATCH_FIXTURES to the shared fixtures folder)`;
    if (process.env["CI"] === "true") throw new Error(`CI=true and ${message}`);
    console.warn(`SKIPPED: ${message}`);
    return { available: false, dir };
  }
  return { available: true, dir };
}

export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}
