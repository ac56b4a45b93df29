import { stat } from "node:fs/promises";
import { describeRecordErrors, validateTailedRecord } from "../ingest/validate-training-record.js";
import type { TrainingRecord } from "../model/training-record.js";
import { LineFileFollower } from "./line-file-follower.js";
import { RecordCursor } from "./record-cursor.js";
import type { ProblemSink, RecordSink, TailProblem, Tailer } from "./tailer.js";

/**
 * What a parser makes of one line: its record (undefined for a line that carries none,
 * such as a header) and a key identifying it across rewrites; why it is not a line of
 * the format (`invalid`) or why its values are refused (`refused`, the ingest API's
 * checks); or undefined for a line to skip quietly (blank, a progress bar).
 */
export type ParsedLine =
  | {
      readonly record: TrainingRecord | undefined;
      readonly key: string;
      /** Already through the ingest API's checks (parsers that check as they read). */
      readonly checked?: boolean;
      /** Values of the line that are not numbers: refused one by one, the rest is kept. */
      readonly problems?: readonly string[];
    }
  | { readonly invalid: string }
  | { readonly refused: string }
  | undefined;

/** Turns the lines of one format into records; stateful formats (CSV headers) reset. */
export interface LineParser {
  reset(): void;
  line(text: string): ParsedLine;
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
    private readonly problems: ProblemSink,
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
        for (const [index, line] of segment.lines.entries()) {
          const lineNumber = segment.lineNumbers[index];
          const parsed = this.parser.line(line);
          if (parsed === undefined) continue;
          if ("invalid" in parsed) {
            this.refuse("invalid_line", lineNumber, parsed.invalid);
            continue;
          }
          if ("refused" in parsed) {
            this.refuse("invalid_record", lineNumber, parsed.refused);
            continue;
          }
          for (const problem of parsed.problems ?? [])
            this.refuse("invalid_value", lineNumber, problem);
          if (!parsed.record) continue;
          let record = parsed.record;
          if (!parsed.checked) {
            const checked = validateTailedRecord(record);
            if (!checked.ok) {
              this.refuse("invalid_record", lineNumber, describeRecordErrors(checked.errors));
              continue;
            }
            record = checked.value;
          }
          for (const next of this.cursor.next(record, parsed.key))
            this.sink(next, mode, observedAt);
        }
      }
      if (!more) for (const record of this.cursor.settle()) this.sink(record, "live", undefined);
    }
  }

  private refuse(reason: TailProblem["reason"], line: number | undefined, message: string): void {
    this.problems({ reason, path: this.path, ...(line === undefined ? {} : { line }), message });
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
