import type { ApplyMode } from "../model/training-runs.js";
import type { TrainingRecord } from "../model/training-record.js";

/** Where a tailer's records go: the run tracker, with how to treat them. */
export type RecordSink = (
  record: TrainingRecord,
  mode: ApplyMode,
  observedAtSeconds: number | undefined,
) => void;

/**
 * Something a tailer read and refused: a line that is not a record of its format
 * (`invalid_line`), a record whose values the ingest API would refuse (`invalid_record`),
 * or one value of an otherwise good line that is not a number (`invalid_value`: the
 * line's other values are kept).
 */
export interface TailProblem {
  readonly reason: "invalid_line" | "invalid_record" | "invalid_value";
  readonly path: string;
  /** 1-based, for line-oriented files. */
  readonly line?: number;
  readonly message: string;
}

export type ProblemSink = (problem: TailProblem) => void;

/**
 * Follows one training output (a file, a directory of checkpoints, an MLflow store) and
 * turns what it finds into records. `poll` is called on the tailer's interval, never
 * concurrently; it throws on a real read error (counted by the collector), and returns
 * quietly while there is nothing to read yet.
 */
export interface Tailer {
  readonly name: string;
  readonly kind: string;
  poll(): Promise<void>;
  close(): Promise<void>;
}
