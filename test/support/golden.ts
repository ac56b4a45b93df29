import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "vitest";

const updating = process.env["UPDATE_GOLDEN"] === "1";
if (updating && process.env["CI"] === "true")
  throw new Error("UPDATE_GOLDEN=1 is not allowed under CI=true");

/**
 * Compares generated text with a committed golden file. `UPDATE_GOLDEN=1 npx vitest run`
 * rewrites the goldens; review the diff before committing it.
 */
export function expectGolden(path: string, actual: string): void {
  if (updating) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path))
    throw new Error(
      `golden file ${path} is missing: run UPDATE_GOLDEN=1 npx vitest run, then review it`,
    );
  expect(actual).toBe(readFileSync(path, "utf8"));
}
