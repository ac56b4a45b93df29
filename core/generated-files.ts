import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createTwoFilesPatch } from "diff";

/** A file a generator produced, by its path relative to the output directory. */
export interface GeneratedFile {
  readonly name: string;
  readonly content: string;
}

export function writeGeneratedFiles(dir: string, files: readonly GeneratedFile[]): void {
  for (const file of files) {
    const path = join(dir, file.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
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
