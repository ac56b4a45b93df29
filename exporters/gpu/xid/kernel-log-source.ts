/** A kernel log message, with when it was logged when the source knows. */
export interface KernelMessage {
  readonly text: string;
  /** Milliseconds since the epoch. */
  readonly timeMs: number | undefined;
}

export interface KernelLogBatch {
  readonly messages: readonly KernelMessage[];
  /** Records the kernel overwrote before they were read. */
  readonly lost: number;
}

/**
 * Where kernel messages come from: `/dev/kmsg`, `journalctl -k`, or a test's recorded
 * lines. `readNew` returns what was logged since the last call (on the first call, what
 * the source still holds from this boot) and throws a `SourceFailure` when the log
 * cannot be read (missing, no permission, tool failing).
 */
export interface KernelLogSource {
  readonly name: string;
  readNew(signal?: AbortSignal): Promise<KernelLogBatch>;
  close(): void;
}
