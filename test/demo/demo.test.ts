import { spawn } from "node:child_process";
import { createConnection } from "node:net";
import { describe, expect, it } from "vitest";
import { requireBinaries } from "../support/binaries.js";
import { repoPath, requireFixtures } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The README's main job, run as users run it (the built CLI, as `make demo` does): every
 * injected incident must come out as a message in the terminal, and stopping it, by
 * finishing or by Ctrl-C, must leave nothing running.
 */
interface DemoRun {
  output(): string;
  exited: Promise<number | null>;
  interrupt(): void;
}

function startDemo(args: readonly string[]): DemoRun {
  const work = makeTempDir("demo-test");
  const child = spawn(
    process.execPath,
    [repoPath("bin/aiwatch.js"), "demo", "--work-dir", work.path, ...args],
    {
      cwd: repoPath(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      work.remove();
      resolve(code);
    }),
  );
  return { output: () => output, exited, interrupt: () => child.kill("SIGINT") };
}

/** Ports the demo printed for the services it started. */
function announcedPorts(output: string): number[] {
  return [...output.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

const binaries = requireBinaries("prometheus", "alertmanager");
const fixtures = requireFixtures("gpu/nvidia-smi-csv");

describe.skipIf(!binaries.available || !fixtures.available)("aiwatch demo", () => {
  it(
    "turns every injected incident into a message, then stops everything",
    { timeout: 420_000 },
    async () => {
      const demo = startDemo(["--exit-when-done", "--grace", "120"]);
      const code = await demo.exited;
      const output = demo.output();
      expect(code, output.slice(-3000)).toBe(0);
      expect(output).toContain("[demo] all 5 incidents were caught");
      for (const alert of [
        "TrainingLossSpike",
        "TrainingLossNotFinite",
        "TrainingStalled",
        "GpuXidErrors",
        "InferenceLatencyP99High",
      ]) {
        expect(output).toMatch(new RegExp(`--- terminal: \\[FIRING:\\d+\\] ${alert}`));
      }
      // The enriched headline names the injected cause's layer, read from the real stack.
      expect(output).toMatch(
        /\] TrainingLossSpike [^\n]*\br-data\b[^\n]*\nProbable cause: data \(/,
      );
      expect(output).toMatch(
        /\] TrainingLossSpike [^\n]*\br-gpu\b[^\n]*\nProbable cause: environment \([^\n]*XID 79/,
      );
      const ports = new Set(announcedPorts(output));
      expect(ports.size).toBeGreaterThanOrEqual(4);
      for (const port of ports)
        expect(await portIsClosed(port), `port ${port} still open`).toBe(true);
    },
  );

  it("stops everything it started on Ctrl-C", { timeout: 120_000 }, async () => {
    const demo = startDemo([]);
    await waitFor(
      "the demo to start",
      () => (demo.output().includes("Ctrl-C stops everything") ? true : undefined),
      { timeoutMs: 90_000 },
    );
    demo.interrupt();
    expect(await demo.exited).toBe(0);
    for (const port of new Set(announcedPorts(demo.output())))
      expect(await portIsClosed(port), `port ${port} still open`).toBe(true);
  });
});
