import { closeSync, constants, openSync, readSync } from "node:fs";
import type { KernelLogBatch, KernelLogSource, KernelMessage } from "./kernel-log-source.js";

const BUFFER_BYTES = 64 * 1024;

/**
 * Reads `/dev/kmsg` without blocking: the device is opened O_NONBLOCK and drained on
 * each call until it answers EAGAIN, so no thread waits on it between polls (a blocking
 * read would hold one of libuv's four pool threads forever). Each read returns one
 * record, `<prio>,<seq>,<usec since boot>,<flags>;<message>`, followed by ` KEY=value`
 * continuation lines; EPIPE means the ring buffer overwrote records before we read them.
 * A regular file in the same format reads the same way (EOF instead of EAGAIN).
 */
export class KmsgSource implements KernelLogSource {
  readonly name = "kmsg";
  private fd: number | undefined;
  private pending = "";
  private readonly buffer = Buffer.alloc(BUFFER_BYTES);

  constructor(
    private readonly path: string,
    /** Boot time, milliseconds since the epoch: kmsg stamps records with time since boot. */
    private readonly bootTimeMs: () => number,
  ) {}

  readNew(): Promise<KernelLogBatch> {
    try {
      return Promise.resolve(this.drain());
    } catch (error) {
      this.close();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.pending = "";
  }

  private drain(): KernelLogBatch {
    this.fd ??= openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    const messages: KernelMessage[] = [];
    let lost = 0;
    for (;;) {
      let bytes: number;
      try {
        bytes = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "EAGAIN") break;
        if (code === "EPIPE") {
          lost++;
          continue;
        }
        throw error;
      }
      if (bytes === 0) break;
      this.pending += this.buffer.toString("utf8", 0, bytes);
      const lines = this.pending.split("\n");
      this.pending = lines.pop() ?? "";
      for (const line of lines) {
        const message = this.record(line);
        if (message) messages.push(message);
      }
    }
    return { messages, lost };
  }

  private record(line: string): KernelMessage | undefined {
    if (line === "" || line.startsWith(" ")) return undefined;
    const match = /^\d+,\d+,(\d+),[^;]*;(.*)$/.exec(line);
    if (!match) return { text: line, timeMs: undefined };
    return { text: match[2] ?? "", timeMs: this.bootTimeMs() + Number(match[1]) / 1000 };
  }
}
