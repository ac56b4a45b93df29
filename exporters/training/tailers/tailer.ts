import type { ApplyMode } from "../model/training-runs.js";
import type { TrainingRecord } from "../model/training-record.js";

/** Where a tailer's records go: the run tracker, with how to treat them. */
export type RecordSink = (
  record: TrainingRecord,
  mode: ApplyMode,
  observedAtSeconds: number | undefined,
) => void;

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
