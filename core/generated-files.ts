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

/**
 * Compares what a generator produces now with what `dir` holds (CI's check mode). Files
 * under `dir` that carry `generatedMark` but are no longer produced count as stale too.
 */
export function checkGeneratedFiles(
  dir: string,
  displayDir: string,
  files: readonly GeneratedFile[],
  generatedMark: string,
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
  for (const name of listFiles(dir)) {
    if (expected.has(name)) continue;
    if (readFileSync(join(dir, name), "utf8").includes(generatedMark)) {
      stale++;
      report += `${join(displayDir, name)}: generated but no longer produced\n`;
    }
  }
  return { stale, report };
}

function listFiles(dir: string, prefix = ""): string[] {
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .flatMap((e) =>
      e.isDirectory() ? listFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)],
    )
    .sort();
}
