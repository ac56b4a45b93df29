import { readFileSync } from "node:fs";

/** One command's output in an nvidia_gpu_exporter capture file. */
export interface CaptureSection {
  /** `capabilities`, `idle` or `load`. */
  readonly state: string;
  readonly title: string;
  readonly command: string | undefined;
  readonly body: string;
}

const RULE = /^#{80}$/;

/**
 * Splits a capture (`internal/captures/*.txt` upstream, see README.upstream.md there)
 * into its sections: a rule line, `# <state> :: <title>`, optionally `# $ <command>`, a
 * rule line, then the command's output up to the next rule line.
 */
export function readCapture(path: string): CaptureSection[] {
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .map((line) => line.replace(/\r$/, ""));
  const sections: CaptureSection[] = [];
  for (let i = 0; i < lines.length; i++) {
    const heading = /^# (\w+) :: (.+)$/.exec(lines[i] ?? "");
    if (!heading || !RULE.test(lines[i - 1] ?? "")) continue;
    let j = i + 1;
    const command = /^# \$ (.*)$/.exec(lines[j] ?? "")?.[1];
    if (command !== undefined) j++;
    if (!RULE.test(lines[j] ?? "")) continue;
    const body: string[] = [];
    for (j++; j < lines.length && !RULE.test(lines[j] ?? ""); j++) body.push(lines[j] ?? "");
    while (body.length > 0 && (body[body.length - 1] ?? "").trim() === "") body.pop();
    sections.push({
      state: heading[1] ?? "",
      title: heading[2] ?? "",
      command,
      body: body.join("\n"),
    });
  }
  return sections;
}

export function sectionOf(
  sections: readonly CaptureSection[],
  state: string,
  title: string,
): CaptureSection | undefined {
  return sections.find((s) => s.state === state && s.title.startsWith(title));
}

/** A captured CSV: header cells as printed, their names without units, and the rows. */
export interface CaptureTable {
  readonly header: readonly string[];
  readonly names: readonly string[];
  readonly units: readonly (string | undefined)[];
  readonly rows: readonly (readonly string[])[];
}

/** nvidia-smi separates values with ", " and never quotes; every captured row splits cleanly. */
export function captureTable(body: string): CaptureTable {
  const [headerLine = "", ...rowLines] = body.split("\n").filter((line) => line.trim() !== "");
  const header = headerLine.split(", ");
  const rows = rowLines.map((line) => line.split(", "));
  for (const row of rows)
    if (row.length !== header.length)
      throw new Error(`captured row has ${row.length} cells, header ${header.length}`);
  return {
    header,
    names: header.map((cell) => cell.replace(/ \[.*\]$/, "")),
    units: header.map((cell) => /\[(.*)\]$/.exec(cell)?.[1]),
    rows,
  };
}
