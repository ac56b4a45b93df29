/** What a command may touch besides files: its output streams and its environment. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** A progress line for long commands (a terminal redraws it in place); absent: none. */
  readonly progress?: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when stdout's reader has gone (a closed pipe): long-running commands stop. */
  readonly outputClosed?: Promise<void>;
}

/** Exit codes shared by every subcommand. */
export const EXIT = { ok: 0, inputErrors: 1, usage: 2 } as const;

export type Command = (args: readonly string[], io: CliIo) => Promise<number>;

/** Thrown for bad arguments; the dispatcher prints it with the command's usage and exits 2. */
export class UsageError extends Error {}
