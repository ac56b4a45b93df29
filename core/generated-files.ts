import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { Diagnostic } from "./diagnostics/diagnostic.js";

/** A file a generator produced, by its path relative to the output directory. */
export interface GeneratedFile {
  readonly name: string;
  readonly content: string;
}

/**
 * Writes a text file, creating its directory. A path that cannot be written (a file where
 * a directory should be, no permission, no such parent) becomes an `io-error` diagnostic
 * naming `shownPath`, so the CLI reports it like any input error instead of crashing.
 */
export function writeTextFile(path: string, shownPath: string, content: string): Diagnostic[] {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return [];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "EEXIST" || code === "ENOTDIR"
        ? "a file is in the way of its directory"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES" || code === "EPERM"
            ? "permission denied"
            : code === "ENOENT"
              ? "its directory cannot be created"
              : String((error as Error).message);
    return [
      {
        code: "io-error",
        severity: "error",
        message: `cannot write: ${reason}${code === undefined ? "" : ` (${code})`}`,
        file: shownPath,
      },
    ];
  }
}

/**
 * Writes every file under `dir`, up to the first that cannot be written (the others would
 * mostly fail the same way); the problem names the file as `displayDir/<name>`.
 */
export function writeGeneratedFiles(
  dir: string,
  displayDir: string,
  files: readonly GeneratedFile[],
): Diagnostic[] {
  for (const file of files) {
    const problems = writeTextFile(join(dir, file.name), join(displayDir, file.name), file.content);
    if (problems.length > 0) return problems;
  }
  return [];
}

export interface GeneratedCheck {
  /** Files missing, different, or generated but no longer produced. */
  readonly stale: number;
  /** Unified diffs and notes, ready to print. */
  readonly report: string;
}

/** How to recognise a file a generator wrote earlier but no longer produces. */
export interface LeftoverRule {
  /** File names (in the folders the generator writes to) worth reading. */
  readonly names: RegExp;
  readonly isGenerated: (content: string) => boolean;
}

/**
 * Compares what a generator produces now with what `dir` holds (CI's check mode). Files
 * that the `leftover` rule recognises, in the folders the generator writes to (and only
 * there: never a whole tree), but that it no longer produces count as stale too.
 */
export function checkGeneratedFiles(
  dir: string,
  displayDir: string,
  files: readonly GeneratedFile[],
  leftover: LeftoverRule,
): GeneratedCheck {
  let stale = 0;
  let report = "";
  const expected = new Set(files.map((f) => f.name));
  for (const file of files) {
    let current: string | undefined;
    try {
      current = readFileSync(join(dir, file.name), "utf8");
    } catch {
      current = undefined;
    }
    if (current === file.content) continue;
    stale++;
    const shown = join(displayDir, file.name);
    report +=
      current === undefined
        ? `${shown}: missing\n`
        : createTwoFilesPatch(shown, `${shown} (generated)`, current, file.content);
  }
  const folders = new Set(files.map((f) => dirname(f.name)));
  for (const folder of [...folders].sort()) {
    for (const name of regularFiles(join(dir, folder))) {
      const path = join(folder, name);
      if (expected.has(path) || !leftover.names.test(name)) continue;
      let content: string;
      try {
        content = readFileSync(join(dir, path), "utf8");
      } catch {
        continue;
      }
      if (!leftover.isGenerated(content)) continue;
      stale++;
      report += `${join(displayDir, path)}: generated but no longer produced\n`;
    }
  }
  return { stale, report };
}

function regularFiles(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
