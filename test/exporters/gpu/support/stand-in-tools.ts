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
} else {
  process.stderr.write("stand-in: the capture cannot answer " + JSON.stringify(args) + "\\n");
  process.exit(99);
}
`;

/**
 * A stand-in `rocm-smi` that prints a captured JSON when called with exactly the options
 * the capture was taken with, and otherwise fails the way argparse does.
 */
export function writeRocmSmiStandIn(
  dir: string,
  name: string,
  jsonPath: string,
  expectedArgs: readonly string[],
): string {
  return writeExecutable(
    dir,
    name,
    `#!/usr/bin/env node
"use strict";
const fs = require("fs");
const args = process.argv.slice(2);
const expected = ${JSON.stringify(expectedArgs)};
if (JSON.stringify(args) !== JSON.stringify(expected)) {
  process.stderr.write("usage: rocm-smi [-h] ...\\nrocm-smi: error: the stand-in replays a capture taken with other options: " + args.join(" ") + "\\n");
  process.exit(2);
}
process.stdout.write(fs.readFileSync(${JSON.stringify(jsonPath)}, "utf8"));
`,
  );
}

/**
 * A stand-in \`journalctl\` for \`-k -o json\`: prints the kernel messages in a file (one per
 * line, read on every run, so a test can append) as journal JSON entries, honouring
 * \`--after-cursor\`. With a \`deny\` marker file present it behaves like journalctl run by
 * a user outside the adm and systemd-journal groups: no entries, a hint on stderr, exit 0.
 */
export function writeJournalctlStandIn(
  dir: string,
  messagesFile: string,
  denyMarker: string,
  log: string,
): string {
  return writeExecutable(
    dir,
    "journalctl",
    `#!/usr/bin/env node
"use strict";
const fs = require("fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + "\\n");
const fixed = ["-k", "-o", "json", "--output-fields=MESSAGE", "--no-pager"];
const first = args[5] === "-b" && args[6] === "--lines=50000" && args.length === 7;
const next = /^--after-cursor=/.test(args[5] || "") && args.length === 6;
if (JSON.stringify(args.slice(0, 5)) !== JSON.stringify(fixed) || !(first || next)) {
  process.stderr.write("stand-in journalctl: unexpected arguments " + JSON.stringify(args) + "\\n");
  process.exit(99);
}
if (fs.existsSync(${JSON.stringify(denyMarker)})) {
  process.stderr.write("Hint: You are currently not seeing messages from other users and the system.\\n      Users in groups 'adm', 'systemd-journal' can see all messages.\\n      Pass -q to turn off this notice.\\n");
  process.exit(0);
}
let after = -1;
if (next) after = Number(/i=(\\d+)/.exec(args[5])[1]);
const messages = fs.readFileSync(${JSON.stringify(messagesFile)}, "utf8").split("\\n").filter((l) => l !== "");
messages.forEach((message, i) => {
  if (i <= after) return;
  process.stdout.write(JSON.stringify({ __CURSOR: "s=0;i=" + i, __REALTIME_TIMESTAMP: String(1700000000000000 + i * 1000000), MESSAGE: message }) + "\\n");
});
`,
  );
}
