import type { ApplyMode } from "../../../exporters/training/model/training-runs.js";
import type { TrainingRecord } from "../../../exporters/training/model/training-record.js";
import type { RecordSink } from "../../../exporters/training/tailers/tailer.js";

export interface Received {
  readonly record: TrainingRecord;
  readonly mode: ApplyMode;
  readonly observedAt: number | undefined;
}

/** A sink that keeps what tailers emit; `take()` returns and forgets it. */
export function recordingSink(): { sink: RecordSink; take: () => Received[] } {
  let received: Received[] = [];
  return {
    sink: (record, mode, observedAt) => received.push({ record, mode, observedAt }),
    take: () => {
      const out = received;
      received = [];
      return out;
    },
  };
}

/** `mode step key=value ...` per record, for compact assertions. */
export function summarize(
  received: readonly Received[],
  keys: readonly string[] = ["loss"],
): string[] {
  return received.map(({ record, mode }) => {
    const values = keys
      .filter((k) => k in record.metrics)
      .map((k) => `${k}=${record.metrics[k]}`)
      .join(" ");
    return `${mode} ${record.step ?? "-"}${values ? ` ${values}` : ""}${record.status ? ` ${record.status}` : ""}`;
  });
}
