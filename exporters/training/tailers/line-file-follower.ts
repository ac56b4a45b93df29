import { open, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";

/** Why the lines that follow start again at the beginning of a file. */
export type FollowReset = "opened" | "rotated" | "truncated" | "rewritten";

/** Complete lines read in one go, all from one file, in order. */
export interface FollowSegment {
  /** Set when these lines start from the beginning of a (new or rewritten) file. */
  readonly reset?: FollowReset;
  readonly lines: readonly string[];
  /** Each line's 1-based number in the file (`\n`-terminated lines), for error reports. */
  readonly lineNumbers: readonly number[];
  /**
   * The lines were already in the file when aiwatch started following it: they are the
   * run's past, to restore state from, not new events.
   */
  readonly history: boolean;
}

export interface FollowResult {
  readonly segments: readonly FollowSegment[];
  /** More data is waiting than one read takes: poll again. */
  readonly more: boolean;
}

export interface LineFileFollowerOptions {
  /**
   * Keep the file open between polls, so that lines written just before a rename
   * rotation are still read from the old file. MLflow's many small metric files turn it
   * off rather than hold a descriptor per metric.
   */
  readonly keepOpen: boolean;
  readonly maxReadBytes?: number;
  /**
   * Whether what the file holds at the first poll is history (true, the default: the
   * file predates this follower). False for files discovered after aiwatch started.
   */
  readonly existingIsHistory?: boolean;
}

/** Bytes compared at the start of the file and just before the read offset. */
const FINGERPRINT_BYTES = 256;

/**
 * Follows one text file by path, like `tail -F`, and hands out complete lines only.
 *
 * - Restarts: the first poll reads what is already there and marks it `history`; nothing
 *   is persisted, so there is no state file to get out of step with the file.
 * - Partial lines: only bytes up to the last line terminator (`\n`, or `\r` for tqdm's
 *   progress bars) are consumed; the rest is read again once it is complete.
 * - Rotation (the path now names another inode, or nothing): the old file is drained to
 *   its end first when it was kept open, then the new one is read from the start.
 * - Truncation (the file is shorter than what was read): read again from the start.
 * - Rewrites in place (Lightning's CSVLogger rewrites the whole file with a wider header
 *   when a metric appears): detected by comparing the file's first bytes, and the bytes
 *   just before the offset, with what they were; read again from the start. Which of the
 *   re-read lines are old is the caller's call (see `RecordCursor`).
 */
export class LineFileFollower {
  private handle: FileHandle | undefined;
  private identity: { readonly dev: number; readonly ino: number } | undefined;
  private offset = 0;
  /** `\n`s consumed since offset 0: the number of the line the offset is in, minus one. */
  private newlines = 0;
  private head: Buffer = Buffer.alloc(0);
  private tail: Buffer = Buffer.alloc(0);
  /** Bytes present when following began; 0 once the first file is gone or done. */
  private historyEnd: number | undefined;
  private readonly maxReadBytes: number;

  constructor(
    readonly path: string,
    private readonly options: LineFileFollowerOptions,
  ) {
    this.maxReadBytes = options.maxReadBytes ?? 8 * 1024 * 1024;
  }

  async poll(): Promise<FollowResult> {
    const segments: FollowSegment[] = [];
    const current = await statOrUndefined(this.path);
    let reset: FollowReset | undefined;
    if (
      this.identity &&
      (!current || current.ino !== this.identity.ino || current.dev !== this.identity.dev)
    ) {
      if (this.handle) {
        const size = (await this.handle.stat()).size;
        const drained = await this.readLines(this.handle, size, true);
        if (drained.lines.length > 0)
          segments.push({ lines: drained.lines, lineNumbers: drained.lineNumbers, history: false });
      }
      await this.forget();
      reset = "rotated";
    }
    if (this.historyEnd === undefined)
      this.historyEnd = this.options.existingIsHistory === false ? 0 : (current?.size ?? 0);
    if (!current) return { segments, more: false };

    let handle: FileHandle;
    if (!this.identity) {
      handle = await open(this.path, "r");
      this.identity = { dev: current.dev, ino: current.ino };
      this.offset = 0;
      this.newlines = 0;
      reset ??= "opened";
    } else {
      handle = this.handle ?? (await open(this.path, "r"));
      if (current.size < this.offset) reset = "truncated";
      else if (current.size === this.offset) {
        await this.release(handle);
        return { segments, more: false };
      } else if (await this.rewritten(handle)) reset = "rewritten";
      if (reset) {
        this.offset = 0;
        this.newlines = 0;
        this.historyEnd = 0;
      }
    }
    try {
      const { lines, lineNumbers, more } = await this.readLines(handle, current.size, false);
      const history = this.offset <= (this.historyEnd ?? 0);
      if (lines.length > 0 || reset) segments.push({ reset, lines, lineNumbers, history });
      if (!more && history) this.historyEnd = 0;
      return { segments, more };
    } finally {
      await this.release(handle);
    }
  }

  async close(): Promise<void> {
    await this.forget();
  }

  private async forget(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.identity = undefined;
    this.offset = 0;
    this.newlines = 0;
    this.head = Buffer.alloc(0);
    this.tail = Buffer.alloc(0);
    this.historyEnd = 0;
    await handle?.close();
  }

  private async release(handle: FileHandle): Promise<void> {
    if (this.options.keepOpen) this.handle = handle;
    else await handle.close();
  }

  /** The bytes at the start and just before the offset are not what was read there. */
  private async rewritten(handle: FileHandle): Promise<boolean> {
    if (this.head.length > 0 && !(await readAt(handle, 0, this.head.length)).equals(this.head))
      return true;
    return (
      this.tail.length > 0 &&
      !(await readAt(handle, this.offset - this.tail.length, this.tail.length)).equals(this.tail)
    );
  }

  /**
   * Reads from the offset up to the last complete line (or everything, when `final`),
   * at most `maxReadBytes` at a time.
   */
  private async readLines(
    handle: FileHandle,
    size: number,
    final: boolean,
  ): Promise<{ lines: string[]; lineNumbers: number[]; more: boolean }> {
    const none = { lines: [], lineNumbers: [], more: false };
    const available = size - this.offset;
    if (available <= 0) return none;
    const buffer = Buffer.allocUnsafe(Math.min(this.maxReadBytes, available));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
    if (bytesRead === 0) return none;
    let end = lastTerminator(buffer, bytesRead) + 1;
    // A line longer than a whole read can never complete in this buffer: take it as is.
    if (end === 0 && (final || bytesRead === this.maxReadBytes)) end = bytesRead;
    if (end === 0) return none;
    const text = buffer.toString("utf8", 0, end);
    if (this.offset === 0)
      this.head = Buffer.from(buffer.subarray(0, Math.min(end, FINGERPRINT_BYTES)));
    this.offset += end;
    this.tail = Buffer.from(buffer.subarray(Math.max(0, end - FINGERPRINT_BYTES), end));
    // `\r` ends a line too (tqdm redraws its bar with it), but only `\n` counts in numbers.
    const lines: string[] = [];
    const lineNumbers: number[] = [];
    const pieces = text.split("\n");
    pieces.forEach((piece, index) => {
      for (const line of piece.split("\r")) {
        if (line.length === 0) continue;
        lines.push(line);
        lineNumbers.push(this.newlines + index + 1);
      }
    });
    this.newlines += pieces.length - 1;
    return { lines, lineNumbers, more: bytesRead === this.maxReadBytes };
  }
}

/** Index of the last `\n` or `\r` in the first `length` bytes, or -1. */
function lastTerminator(buffer: Buffer, length: number): number {
  for (let i = length - 1; i >= 0; i--) {
    const byte = buffer[i];
    if (byte === 10 || byte === 13) return i;
  }
  return -1;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, Math.max(0, position));
  return buffer.subarray(0, bytesRead);
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
