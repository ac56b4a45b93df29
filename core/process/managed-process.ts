import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { waitFor } from "./wait-for.js";

/** A long-running child process whose output is kept for failure messages. */
export interface ManagedProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Waits until a started server answers its `/-/ready` (Prometheus' convention, which
 * Alertmanager shares). A process that exits or never gets ready is stopped, so a failed
 * start leaves nothing running.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  name: string,
  url: string,
): Promise<void> {
  try {
    await waitFor(`${name} to be ready`, async () => {
      if (proc.child.exitCode !== null)
        throw new Error(`${name.toLowerCase()} exited: ${proc.output()}`);
      const response = await fetch(`${url}/-/ready`);
      return response.ok ? true : undefined;
    });
  } catch (error) {
    await proc.stop();
    throw error;
  }
}
