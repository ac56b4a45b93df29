import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import type { SpecSource } from "./spec-source.js";

/**
 * Reads the spec files a command names. A file that cannot be read becomes a diagnostic,
 * so every unreadable spec is reported together with the others' errors. `displayName` is
 * the spec's path as seen from `outDir`, the form generated headers print.
 */
export function readSpecSources(
  files: readonly string[],
  cwd: string,
  outDir: string,
): { sources: SpecSource[]; diagnostics: Diagnostic[] } {
  const sources: SpecSource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    try {
      sources.push({
        file,
        text: readFileSync(path, "utf8"),
        displayName: relative(outDir, path).split("\\").join("/"),
      });
    } catch (error) {
      diagnostics.push({
        code: "io-error",
        severity: "error",
        message: `cannot read spec: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        file,
      });
    }
  }
  return { sources, diagnostics };
}
