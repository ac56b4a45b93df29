import { describeRecordErrors, validateTailedRecord } from "../ingest/validate-training-record.js";
import type { TrainingRecord } from "../model/training-record.js";
import { parseTrainerState, trainerEntryRecord } from "../sources/hf-trainer-state.js";
import { lineParser } from "../tailers/create-tailer.js";
import type { LineTailerConfig } from "../tailers/create-tailer.js";
import type { TailProblem } from "../tailers/tailer.js";

/** Formats a log can be replayed from: every line tailer's, and trainer_state.json. */
export const REPLAY_FORMATS = [
  "megatron",
  "nanogpt",
  "hf_log",
  "hf_trainer_state",
  "json_lines",
  "lightning_csv",
  "keras_csv",
  "regex",
] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

/** Formats tried, in order, when none is given (regex needs patterns, CSVs look alike). */
const SNIFFED: readonly ReplayFormat[] = ["megatron", "nanogpt", "hf_log", "json_lines"];

export interface LoggedRecord {
  readonly record: TrainingRecord;
  /** 1-based line of the log it came from (trainer_state.json: its log_history index + 1). */
  readonly line: number;
}

export interface ReadLog {
  readonly format: ReplayFormat;
  readonly records: readonly LoggedRecord[];
  /** Refused lines and values, as a tailer reports them (reason, line, message). */
  readonly problems: readonly Omit<TailProblem, "path">[];
}

export interface ReadLogOptions {
  readonly format: ReplayFormat | undefined;
  readonly patterns: readonly string[];
  readonly runId: string;
  readonly jobName: string;
}

/**
 * A log file's records, read by the same parser and checked by the same rules as the
 * tailer of its format. Without a format, the line formats are tried and the one that
 * reads the most records wins. Undefined when no format reads any record.
 */
export function readLog(text: string, options: ReadLogOptions): ReadLog | undefined {
  if (options.format !== undefined) return readAs(text, options.format, options);
  if (/^\s*\{/.test(text) && text.includes('"log_history"'))
    return readAs(text, "hf_trainer_state", options);
  let best: ReadLog | undefined;
  for (const format of SNIFFED) {
    const read = readAs(text, format, options);
    if (read.records.length > (best?.records.length ?? 0)) best = read;
  }
  return best;
}

function readAs(text: string, format: ReplayFormat, options: ReadLogOptions): ReadLog {
  if (format === "hf_trainer_state") return readTrainerState(text, options);
  const config = lineConfig(format, options.patterns);
  const parser = lineParser(config, options.runId, options.jobName);
  const records: LoggedRecord[] = [];
  const problems: Omit<TailProblem, "path">[] = [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, index) => {
    const at = index + 1;
    const parsed = parser.line(line);
    if (parsed === undefined) return;
    if ("invalid" in parsed) {
      problems.push({ reason: "invalid_line", line: at, message: parsed.invalid });
      return;
    }
    if ("refused" in parsed) {
      problems.push({ reason: "invalid_record", line: at, message: parsed.refused });
      return;
    }
    for (const message of parsed.problems ?? [])
      problems.push({ reason: "invalid_value", line: at, message });
    if (!parsed.record) return;
    const checked = parsed.checked
      ? ({ ok: true, value: parsed.record } as const)
      : validateTailedRecord(parsed.record);
    if (!checked.ok) {
      problems.push({
        reason: "invalid_record",
        line: at,
        message: describeRecordErrors(checked.errors),
      });
      return;
    }
    records.push({ record: checked.value, line: at });
  });
  return { format, records, problems };
}

function lineConfig(
  format: Exclude<ReplayFormat, "hf_trainer_state">,
  patterns: readonly string[],
): LineTailerConfig {
  const common = { path: "", job_name: "", poll_interval: "5s" };
  switch (format) {
    case "keras_csv":
      return { kind: format, separator: ",", ...common };
    case "regex":
      return { kind: format, patterns: [...patterns], ...common };
    default:
      return { kind: format, ...common };
  }
}

function readTrainerState(text: string, options: ReadLogOptions): ReadLog {
  const state = parseTrainerState(text);
  const records: LoggedRecord[] = [];
  const problems: Omit<TailProblem, "path">[] = [];
  state.entries.forEach((entry, index) => {
    const checked = validateTailedRecord(trainerEntryRecord(entry, options.runId, options.jobName));
    if (checked.ok) records.push({ record: checked.value, line: index + 1 });
    else
      problems.push({
        reason: "invalid_record",
        line: index + 1,
        message: describeRecordErrors(checked.errors),
      });
  });
  return { format: "hf_trainer_state", records, problems };
}
