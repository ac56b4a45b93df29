import { spawn } from "node:child_process";

export interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the run was cut short: it hit the timeout, was aborted, or printed too much. */
  readonly stopped?: "timeout" | "aborted" | "output_limit";
}

export interface RunProcessOptions {
  readonly cwd?: string;
  /** The program's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /**
   * Run the program in its own process group and kill the whole group when stopping it,
   * then answer at once: a wrapper script's children (a hung `sleep`, a stuck driver
   * call) cannot keep the pipes open and delay the answer past the timeout.
   */
  readonly killProcessGroup?: boolean;
  /** Stops the program when aborted (e.g. a collector shutting down). */
  readonly signal?: AbortSignal;
  /** Stops the program once stdout and stderr together exceed this many bytes. */
  readonly maxOutputBytes?: number;
}

/** Runs a program to completion (no shell), with a timeout that kills it. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.killProcessGroup === true,
    });
    let stdout = "";
    let stderr = "";
    let outputBytes = 0;
    let settled = false;
    const finish = (result: ProcessResult): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const stop = (reason: NonNullable<ProcessResult["stopped"]>, note: string): void => {
      if (settled) return;
      if (options.killProcessGroup && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // The group is already gone.
        }
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ exitCode: 137, stdout, stderr: stderr + note, stopped: reason });
        return;
      }
      child.kill("SIGKILL");
      stopReason = reason;
      stderr += note;
    };
    let stopReason: ProcessResult["stopped"];
    const onOutput = (chunk: string, append: (text: string) => void): void => {
      outputBytes += Buffer.byteLength(chunk);
      append(chunk);
      if (options.maxOutputBytes !== undefined && outputBytes > options.maxOutputBytes)
        stop("output_limit", `\n${command} printed more than ${options.maxOutputBytes} bytes\n`);
    };
    child.stdout
      .setEncoding("utf8")
      .on("data", (chunk: string) => onOutput(chunk, (text) => (stdout += text)));
    child.stderr
      .setEncoding("utf8")
      .on("data", (chunk: string) => onOutput(chunk, (text) => (stderr += text)));
    const timer = options.timeoutMs
      ? setTimeout(
          () => stop("timeout", `\n${command} timed out after ${options.timeoutMs} ms\n`),
          options.timeoutMs,
        )
      : undefined;
    const onAbort = (): void => stop("aborted", `\n${command} was aborted\n`);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.on("close", (code, signal) => {
      finish({
        exitCode: code ?? (signal ? 128 : 1),
        stdout,
        stderr,
        ...(stopReason ? { stopped: stopReason } : {}),
      });
    });
  });
}
