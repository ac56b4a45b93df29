import type { LoggedRecord } from "./read-log.js";

export interface TimedRecord extends LoggedRecord {
  /** Milliseconds since the first record. */
  readonly atMs: number;
}

export type ClockSource = "step-time" | "timestamps" | "step-durations";

export type TimedLog =
  | { readonly ok: true; readonly records: readonly TimedRecord[]; readonly source: ClockSource }
  | { readonly ok: false; readonly message: string };

/**
 * When each record happened, on a clock that starts at the first one. With a step time,
 * each step advances it by that much. Otherwise the log's own time: its records' time
 * stamps when every record that advances the step has one, else the step durations the
 * trainer logged (Megatron's elapsed time per iteration, nanoGPT's time per iter,
 * modded-nanogpt's train_time), each covering the steps since the previous record.
 * Records that do not advance the step (evaluations) keep the time of the one before.
 */
export function timeRecords(
  records: readonly LoggedRecord[],
  stepTimeMs: number | undefined,
): TimedLog {
  const advancing = records.filter((r, i) => advances(records, i));
  let source: ClockSource;
  if (stepTimeMs !== undefined) source = "step-time";
  else if (advancing.length > 0 && advancing.every((r) => r.record.timestampSeconds !== undefined))
    source = "timestamps";
  else if (advancing.some((r) => r.record.metrics["step_time_seconds"] !== undefined))
    source = "step-durations";
  else
    return {
      ok: false,
      message:
        "the log carries no time stamps or step durations: give the time one step takes with --step-time",
    };
  const timed: TimedRecord[] = [];
  let atMs = 0;
  let lastStep: number | undefined;
  let lastSeconds: number | undefined;
  let lastDuration: number | undefined;
  const firstStamp = advancing[0]?.record.timestampSeconds;
  for (const [index, entry] of records.entries()) {
    const step = entry.record.step;
    if (advances(records, index) && step !== undefined) {
      const steps = lastStep === undefined ? 0 : step - lastStep;
      if (source === "step-time") atMs += steps * (stepTimeMs ?? 0);
      else if (source === "timestamps") {
        const seconds = entry.record.timestampSeconds ?? lastSeconds ?? 0;
        atMs = Math.max(atMs, (seconds - (firstStamp ?? seconds)) * 1000);
        lastSeconds = seconds;
      } else {
        const duration = entry.record.metrics["step_time_seconds"];
        if (duration !== undefined && Number.isFinite(duration) && duration >= 0)
          lastDuration = duration;
        atMs += steps * (lastDuration ?? 0) * 1000;
      }
      lastStep = step;
    }
    timed.push({ ...entry, atMs: Math.round(atMs) });
  }
  return { ok: true, records: timed, source };
}

/** Whether record i moves the step past the step of the record before it. */
function advances(records: readonly LoggedRecord[], index: number): boolean {
  const step = records[index]?.record.step;
  if (step === undefined) return false;
  for (let i = index - 1; i >= 0; i--) {
    const before = records[i]?.record.step;
    if (before !== undefined) return step > before;
  }
  return true;
}
