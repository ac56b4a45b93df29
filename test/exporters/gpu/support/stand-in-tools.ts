import { writeExecutable } from "../../../../exporters/gpu/replay/nvidia-smi-stand-in.js";

export {
  writeExecutable,
  writeNvidiaSmiStandIn,
} from "../../../../exporters/gpu/replay/nvidia-smi-stand-in.js";
export type { NvidiaReplay } from "../../../../exporters/gpu/replay/nvidia-smi-stand-in.js";

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
