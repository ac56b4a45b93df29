import { runProcess } from "../../../core/run-process.js";
import { SourceFailure } from "./source-failure.js";

export interface ToolRun {
  /** Executable name (looked up on PATH) or path. */
  readonly command: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Output beyond this is a failure, so a runaway tool cannot exhaust memory. */
  readonly maxOutputBytes?: number;
}

export interface ToolOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/**
 * Runs a GPU tool once. A missing executable, a permission problem, a timeout (the whole
 * process group is killed) and runaway output become a `SourceFailure` with its reason;
 * a non-zero exit is returned, because callers read some of those (nvidia-smi's
 * unknown-field answer exits 2).
 */
export async function runTool(run: ToolRun, args: readonly string[]): Promise<ToolOutput> {
  let result;
  try {
    result = await runProcess(run.command, args, {
      timeoutMs: run.timeoutMs,
      killProcessGroup: true,
      signal: run.signal,
      maxOutputBytes: run.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT")
      throw new SourceFailure("not_found", `${run.command}: not found (is the driver installed?)`);
    if (code === "EACCES" || code === "EPERM")
      throw new SourceFailure("permission_denied", `${run.command}: permission denied`);
    throw error;
  }
  if (result.stopped === "timeout")
    throw new SourceFailure(
      "timeout",
      `${run.command} ${args.join(" ")}: no answer within ${run.timeoutMs} ms (killed)`,
    );
  if (result.stopped === "output_limit")
    throw new SourceFailure("output_limit", `${run.command}: output too large (killed)`);
  if (result.stopped === "aborted")
    throw new SourceFailure("timeout", `${run.command}: stopped because the collector stopped`);
  return result;
}

/** A non-zero exit as a failure, with the tool's first line of complaint. */
export function exitFailure(
  command: string,
  args: readonly string[],
  output: ToolOutput,
): SourceFailure {
  const said = (output.stderr.trim() || output.stdout.trim()).split("\n")[0] ?? "";
  return new SourceFailure(
    "exit_status",
    `${command} ${args.join(" ")} exited with status ${output.exitCode}${said ? `: ${said.slice(0, 300)}` : ""}`,
    output.exitCode,
  );
}
