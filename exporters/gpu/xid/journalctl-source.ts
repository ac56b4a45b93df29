import { exitFailure, runTool } from "../tools/run-tool.js";
import type { ToolRun } from "../tools/run-tool.js";
import { SourceFailure } from "../tools/source-failure.js";
import type { KernelLogBatch, KernelLogSource, KernelMessage } from "./kernel-log-source.js";

/**
 * journalctl says nothing on stdout and exits 0 when the user may not read the system
 * journal; only this hint on stderr tells "no kernel messages" from "not allowed".
 */
const NO_PERMISSION =
  /not seeing messages from other users and the system|insufficient permissions|No journal files were opened/i;

/**
 * The first read takes this boot's latest kernel messages, enough for the XID history
 * without letting a long boot's log exceed the tool output limit (about 500 bytes each).
 */
const FIRST_READ_LINES = 50_000;

/**
 * Reads the kernel log through `journalctl -k -o json`: the first call reads this boot,
 * later calls continue after the last cursor seen.
 */
export class JournalctlSource implements KernelLogSource {
  readonly name = "journalctl";
  private cursor: string | undefined;

  constructor(private readonly run: Omit<ToolRun, "signal">) {}

  async readNew(signal?: AbortSignal): Promise<KernelLogBatch> {
    const args = [
      "-k",
      "-o",
      "json",
      "--output-fields=MESSAGE",
      "--no-pager",
      ...(this.cursor === undefined
        ? ["-b", `--lines=${FIRST_READ_LINES}`]
        : [`--after-cursor=${this.cursor}`]),
    ];
    const output = await runTool({ ...this.run, signal }, args);
    if (NO_PERMISSION.test(output.stderr))
      throw new SourceFailure(
        "permission_denied",
        `journalctl: ${output.stderr.trim().split("\n")[0] ?? ""}`,
      );
    if (output.exitCode !== 0) {
      // A cursor from a rotated-away journal cannot be resumed; start over from this boot.
      this.cursor = undefined;
      throw exitFailure(this.run.command, args, output);
    }
    const messages: KernelMessage[] = [];
    for (const line of output.stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      let entry: { __CURSOR?: unknown; __REALTIME_TIMESTAMP?: unknown; MESSAGE?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        throw new SourceFailure(
          "parse_error",
          `journalctl printed a line that is not JSON: ${line.slice(0, 120)}`,
        );
      }
      if (typeof entry.__CURSOR === "string") this.cursor = entry.__CURSOR;
      const text = messageText(entry.MESSAGE);
      if (text === undefined) continue;
      const micros =
        typeof entry.__REALTIME_TIMESTAMP === "string" ? Number(entry.__REALTIME_TIMESTAMP) : NaN;
      messages.push({ text, timeMs: Number.isFinite(micros) ? micros / 1000 : undefined });
    }
    return { messages, lost: 0 };
  }

  close(): void {
    this.cursor = undefined;
  }
}

/** journald stores non-UTF-8 messages as arrays of bytes. */
function messageText(message: unknown): string | undefined {
  if (typeof message === "string") return message;
  if (Array.isArray(message) && message.every((b) => typeof b === "number"))
    return Buffer.from(message).toString("utf8");
  return undefined;
}
