import { readFileSync } from "node:fs";

/** The version in package.json, read once at start (the CLI runs from src or dist). */
export function readPackageVersion(): string {
  for (const candidate of ["../../package.json", "../../../package.json"]) {
    try {
      const text = readFileSync(new URL(candidate, import.meta.url), "utf8");
      const parsed = JSON.parse(text) as { name?: string; version?: string };
      if (parsed.name === "aiwatch" && parsed.version) return parsed.version;
    } catch {
      // try the next location
    }
  }
  return "unknown";
}
