import { open, stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

export interface TailerOptions {
  readonly path: string;
  /** Start at the end of the file (new lines only) or at its beginning. */
  readonly from: "end" | "beginning";
  readonly pollMs: number;
  readonly maxLineBytes: number;
}

export interface TailedLine {
  readonly text: string;
  /** 1-based, counted from where tailing started (the file's own line number from the beginning). */
  readonly line: number;
}

export interface TailerSink {
  lines(lines: readonly TailedLine[]): void;
  /** A line longer than maxLineBytes was skipped. */
  tooLong(line: number): void;
  /** The file could not be read this time (it may not exist yet); tailing goes on. */
  failed(error: Error): void;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Follows a growing JSON-lines file, as `tail -F` does: it polls the file's size, reads
 * what was appended, hands over complete lines and keeps the incomplete last one for the
 * next poll. A file that shrinks or is replaced (rotation) is read again from its start.
 * Memory is bounded by one chunk plus one line of at most maxLineBytes.
 */
export class JsonLinesTailer {
  private offset = 0;
  private inode: number | undefined;
  private partial = "";
  // Keeps a UTF-8 sequence split across two reads whole.
  private decoder = new StringDecoder("utf8");
  private skipping = false;
  private lineNumber = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: TailerOptions,
    private readonly sink: TailerSink,
  ) {}

  async start(): Promise<void> {
    if (this.options.from === "end") {
      try {
        const info = await stat(this.options.path);
        this.offset = info.size;
        this.inode = info.ino;
      } catch {
        // Not there yet: it is read from its beginning once it appears.
      }
    }
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Reads whatever was appended since the last poll (tests call this to avoid waiting). */
  poll(): Promise<void> {
    this.running = this.running.then(() => this.readAppended());
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.options.pollMs);
    this.timer.unref();
  }

  private async readAppended(): Promise<void> {
    let handle;
    try {
      const info = await stat(this.options.path);
      if (info.size < this.offset || (this.inode !== undefined && info.ino !== this.inode)) {
        this.offset = 0;
        this.partial = "";
        this.skipping = false;
        this.decoder = new StringDecoder("utf8");
      }
      this.inode = info.ino;
      if (info.size === this.offset) return;
      handle = await open(this.options.path, "r");
      const buffer = Buffer.alloc(CHUNK_BYTES);
      while (this.offset < info.size && !this.stopped) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.consume(this.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } catch (error) {
      this.sink.failed(error as Error);
    } finally {
      await handle?.close();
    }
  }

  private consume(text: string): void {
    const lines: TailedLine[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      if (newline < 0) break;
      const piece = text.slice(start, newline);
      start = newline + 1;
      this.lineNumber++;
      if (this.skipping) {
        this.skipping = false;
        this.partial = "";
        continue;
      }
      const line = this.partial + piece;
      this.partial = "";
      if (Buffer.byteLength(line) > this.options.maxLineBytes) this.sink.tooLong(this.lineNumber);
      else if (line.trim() !== "") lines.push({ text: line, line: this.lineNumber });
    }
    const rest = text.slice(start);
    if (!this.skipping) {
      this.partial += rest;
      if (Buffer.byteLength(this.partial) > this.options.maxLineBytes) {
        this.sink.tooLong(this.lineNumber + 1);
        this.partial = "";
        this.skipping = true;
      }
    }
    if (lines.length > 0) this.sink.lines(lines);
  }
}
