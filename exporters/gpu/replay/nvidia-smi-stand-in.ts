import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeExecutable(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}

/** What a stand-in nvidia-smi replays, taken from one capture and one state. */
export interface NvidiaReplay {
  /** `--help-query-gpu` output; null makes the stand-in fail that option. */
  readonly helpQueryGpu: string | null;
  readonly helpQueryComputeApps: string | null;
  /** The captured `--query-gpu` CSV (header + rows). */
  readonly queryGpu: string;
  readonly queryComputeApps: string | null;
  readonly list: string | null;
  readonly query: string | null;
  /** `--version` output; absent or null makes the stand-in fail that option. */
  readonly version?: string | null;
  /** Fields the help lists but the query refuses, as an older driver's nvidia-smi does. */
  readonly refuse?: readonly string[];
  /** File the stand-in appends its arguments to, one JSON array per run. */
  readonly log: string;
}

/**
 * A stand-in `nvidia-smi` that answers from a capture like the real tool: it projects the
 * requested `--query-gpu` fields out of the captured CSV (header cells with units, values
 * as printed), refuses a field it does not list with nvidia-smi's own message and exit
 * status 2, and fails loudly (exit 99) when asked for something the capture lacks, so a
 * test can never pass on data the capture does not hold.
 */
export function writeNvidiaSmiStandIn(dir: string, name: string, replay: NvidiaReplay): string {
  const spec = join(dir, `${name}.replay.json`);
  writeFileSync(spec, JSON.stringify(replay));
  return writeExecutable(dir, name, NVIDIA_SMI_STAND_IN.replace("__SPEC__", JSON.stringify(spec)));
}

const NVIDIA_SMI_STAND_IN = `#!/usr/bin/env node
"use strict";
const fs = require("fs");
const spec = JSON.parse(fs.readFileSync(__SPEC__, "utf8"));
const args = process.argv.slice(2);
fs.appendFileSync(spec.log, JSON.stringify(args) + "\\n");
const out = (text) => process.stdout.write(text);
const fail = (text, code) => { process.stdout.write(text); process.exit(code); };
const names = (help) => new Set([...(help || "").matchAll(/^"([^"]+)"(?: or "([^"]+)")?/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));
function project(csv, help, fields) {
  const valid = names(help);
  for (const field of fields)
    if (!valid.has(field) || (spec.refuse || []).includes(field))
      fail('Field "' + field + '" is not a valid field to query.\\n\\n', 2);
  const [headerLine, ...rowLines] = csv.split("\\n").filter((l) => l.trim() !== "");
  const header = headerLine.split(", ");
  const columnNames = header.map((h) => h.replace(/ \\[.*\\]$/, ""));
  const at = fields.map((field) => {
    const index = columnNames.indexOf(field);
    if (index < 0) { process.stderr.write("stand-in: the capture has no column " + field + "\\n"); process.exit(99); }
    return index;
  });
  out(at.map((i) => header[i]).join(", ") + "\\n");
  for (const line of rowLines) {
    const cells = line.split(", ");
    // A row with a comma inside a value cannot be projected; it is printed as captured.
    if (cells.length !== header.length) out(line + "\\n");
    else out(at.map((i) => cells[i]).join(", ") + "\\n");
  }
}
const query = args.find((a) => a.startsWith("--query-gpu="));
const apps = args.find((a) => a.startsWith("--query-compute-apps="));
if (args.length === 1 && args[0] === "--help-query-gpu") {
  if (spec.helpQueryGpu === null) fail("ERROR: Option --help-query-gpu is not recognized. Please run 'nvidia-smi -h'.\\n", 2);
  out(spec.helpQueryGpu + "\\n");
} else if (query && args.length === 2 && args.includes("--format=csv")) {
  project(spec.queryGpu, spec.helpQueryGpu, query.slice("--query-gpu=".length).split(","));
} else if (apps && args.length === 2 && args.includes("--format=csv") && spec.queryComputeApps !== null) {
  project(spec.queryComputeApps, spec.helpQueryComputeApps, apps.slice("--query-compute-apps=".length).split(","));
} else if (args.length === 1 && args[0] === "-L" && spec.list !== null) {
  out(spec.list + "\\n");
} else if (args.length === 1 && args[0] === "-q" && spec.query !== null) {
  out(spec.query + "\\n");
} else if (args.length === 1 && args[0] === "--version" && spec.version != null) {
  out(spec.version + "\\n");
} else {
  process.stderr.write("stand-in: the capture cannot answer " + JSON.stringify(args) + "\\n");
  process.exit(99);
}
`;
