import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runProcess } from "../../core/run-process.js";
import { requireBinaries } from "../support/binaries.js";
import { repoPath } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

/** Processes whose command line mentions `text` (the demo's children name its work dir). */
function processesMentioning(text: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let command: string;
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
      continue; // it exited while we looked
    }
    if (command.includes(text)) found.push({ pid: Number(entry), command });
  }
  return found;
}

const { available } = requireBinaries("prometheus", "alertmanager");

describe.skipIf(!available)("aiwatch demo | head -3", () => {
  it("prints three lines, then stops Prometheus, Alertmanager and itself", async () => {
    const work = makeTempDir("demo-pipe");
    try {
      // sh waits for every command of the pipeline: when it returns, the demo has exited.
      const result = await runProcess(
        "sh",
        [
          "-c",
          `"${process.execPath}" "${repoPath("bin", "aiwatch.js")}" demo --work-dir "${work.path}" | head -3`,
        ],
        { cwd: repoPath(), timeoutMs: 120_000 },
      );
      expect(result.stopped).toBeUndefined();
      expect(result.stdout.trimEnd().split("\n")).toHaveLength(3);
      expect(result.stdout).toMatch(/^\[demo\] /);
      expect(result.stderr).not.toMatch(/EPIPE|Error/);
      // What it started (Prometheus and Alertmanager are named by their folders in the work dir).
      expect(readdirSync(work.path)).toEqual(
        expect.arrayContaining(["prometheus", "alertmanager"]),
      );
      expect(processesMentioning(work.path)).toEqual([]);
    } finally {
      for (const left of processesMentioning(work.path)) process.kill(left.pid, "SIGKILL");
      work.remove();
    }
  });
});
