import { stat } from "node:fs/promises";
import type { TrainingRecord } from "../model/training-record.js";
import { LineFileFollower } from "./line-file-follower.js";
import { RecordCursor } from "./record-cursor.js";
import type { RecordSink, Tailer } from "./tailer.js";

/** Turns the lines of one format into records; stateful formats (CSV headers) reset. */
export interface LineParser {
  reset(): void;
  /** The line's record and a key identifying it across rewrites, or undefined to skip. */
  line(
    text: string,
  ): { readonly record: TrainingRecord | undefined; readonly key: string } | undefined;
}

/**
 * A tailer for line-oriented files (Hugging Face stdout logs, Lightning and Keras CSVs,
 * JSON lines): the follower supplies complete lines, the parser records, and the cursor
 * decides which records of a re-read file are new.
 */
export class LineTailer implements Tailer {
  private readonly follower: LineFileFollower;
  private readonly cursor = new RecordCursor<TrainingRecord>();

  constructor(
    readonly name: string,
    readonly kind: string,
    readonly path: string,
    private readonly parser: LineParser,
    private readonly sink: RecordSink,
  ) {
    this.follower = new LineFileFollower(path, { keepOpen: true });
  }

  async poll(): Promise<void> {
    let more = true;
    while (more) {
      const result = await this.follower.poll();
      more = result.more;
      for (const segment of result.segments) {
        // History time is when the file last changed; only needed for history.
        const observedAt = segment.history ? await mtimeSeconds(this.path) : undefined;
        if (segment.reset) {
          this.parser.reset();
          // A rotated-in file may be the same records copied over (a writer replacing the
          // file atomically, rsync): the cursor tells a copy from new content.
          const held = segment.reset === "opened" ? this.cursor.fresh() : this.cursor.restart();
          for (const record of held) this.sink(record, "live", undefined);
        }
        const mode = segment.history ? "history" : "live";
        for (const line of segment.lines) {
          const parsed = this.parser.line(line);
          if (!parsed?.record) continue;
          for (const record of this.cursor.next(parsed.record, parsed.key))
            this.sink(record, mode, observedAt);
        }
      }
      if (!more) for (const record of this.cursor.settle()) this.sink(record, "live", undefined);
    }
  }

  close(): Promise<void> {
    return this.follower.close();
  }
}

async function mtimeSeconds(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs / 1000;
  } catch {
    return undefined;
  }
}
