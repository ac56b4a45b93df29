import { basename, dirname, resolve } from "node:path";
import { durationMs } from "../../../core/config/zod-fields.js";
import { CsvMetricsParser } from "../sources/csv-metrics.js";
import { HfLogParser } from "../sources/hf-log-lines.js";
import { MegatronLogParser } from "../sources/megatron-log-lines.js";
import { NanoGptLogParser } from "../sources/nanogpt-log-lines.js";
import { RegexLogParser } from "../sources/regex-log-lines.js";
import { parseJsonLine } from "../sources/json-lines.js";
import type { TailerConfig } from "../training-config.js";
import { HfTrainerStateTailer } from "./hf-trainer-state-tailer.js";
import { LineTailer } from "./line-tailer.js";
import type { LineParser, ParsedLine } from "./line-tailer.js";
import type { TrainingRecord } from "../model/training-record.js";
import { MlflowTailer } from "./mlflow-tailer.js";
import type { ProblemSink, RecordSink, Tailer } from "./tailer.js";
import { describeRecordErrors, validateTailedRecord } from "../ingest/validate-training-record.js";

export interface TailerContext {
  readonly sink: RecordSink;
  /** Lines and records refused: counted and logged by the collector. */
  readonly problems: ProblemSink;
  readonly finishedRetentionMs: number;
  readonly now: () => number;
}

/** A configured tailer, ready to poll; `intervalMs` is how often. */
export function createTailer(
  config: TailerConfig,
  context: TailerContext,
): { readonly tailer: Tailer; readonly intervalMs: number } {
  const path = resolve(config.path);
  const name = config.name ?? `${config.kind}:${config.path}`;
  const intervalMs = Math.max(10, durationMs(config.poll_interval));
  const sink = config.kind === "mlflow" ? context.sink : withRank(context.sink, config.rank);
  // Line tailers check their records where they know the line; these check here.
  const checkedSink: RecordSink = (record, mode, observedAt) => {
    const checked = validateTailedRecord(record);
    if (checked.ok) sink(checked.value, mode, observedAt);
    else
      context.problems({
        reason: "invalid_record",
        path,
        message: describeRecordErrors(checked.errors),
      });
  };
  if (config.kind === "mlflow") {
    return {
      intervalMs,
      tailer: new MlflowTailer({
        name,
        path,
        jobName: config.job_name,
        finishedRetentionMs: context.finishedRetentionMs,
        now: context.now,
        sink: checkedSink,
      }),
    };
  }
  const runId = config.run_id ?? defaultRunId(config.kind, path);
  const jobName = config.job_name;
  if (config.kind === "hf_trainer_state")
    return {
      intervalMs,
      tailer: new HfTrainerStateTailer(name, path, runId, jobName, checkedSink),
    };
  const parser = lineParser(config, runId, jobName);
  return {
    intervalMs,
    tailer: new LineTailer(name, config.kind, path, parser, sink, context.problems),
  };
}

/**
 * The configured rank (a file per rank of a distributed job), on records whose line does
 * not name one. The schema bounds it as the ingest API does.
 */
function withRank(sink: RecordSink, rank: number | undefined): RecordSink {
  if (rank === undefined) return sink;
  return (record, mode, observedAt) =>
    sink(record.rank === undefined ? { ...record, rank } : record, mode, observedAt);
}

/**
 * The directory a run writes to names it: the Trainer's output directory (the one
 * holding `trainer_state.json` or `checkpoint-N/`), else the file's directory.
 */
function defaultRunId(kind: TailerConfig["kind"], path: string): string {
  if (kind === "hf_trainer_state") {
    const file = path.endsWith(".json");
    const dir = file ? dirname(path) : path;
    return basename(/^checkpoint-\d+$/.test(basename(dir)) ? dirname(dir) : dir);
  }
  return basename(dirname(path));
}

/** The line tailers' formats, by `kind`. */
export type LineTailerConfig = Exclude<TailerConfig, { kind: "mlflow" | "hf_trainer_state" }>;

/** Turns the lines of a configured format into records (also used by `training replay`). */
export function lineParser(config: LineTailerConfig, runId: string, jobName: string): LineParser {
  switch (config.kind) {
    case "megatron": {
      const parser = new MegatronLogParser(runId, jobName);
      return { reset: () => parser.reset(), line: (text) => withKey(parser.line(text), text) };
    }
    case "nanogpt": {
      const parser = new NanoGptLogParser(runId, jobName);
      return { reset: () => parser.reset(), line: (text) => withKey(parser.line(text), text) };
    }
    case "regex": {
      const parser = new RegexLogParser(
        config.patterns.map((p) => new RegExp(p)),
        runId,
        jobName,
      );
      return { reset: () => undefined, line: (text) => withKey(parser.line(text), text) };
    }
    case "hf_log": {
      let parser = new HfLogParser(runId, jobName);
      return {
        reset: () => (parser = new HfLogParser(runId, jobName)),
        line: (text) => {
          const record = parser.line(text);
          if (record === undefined || "invalid" in record) return record;
          return { record, key: text };
        },
      };
    }
    case "lightning_csv":
    case "keras_csv": {
      const parser = new CsvMetricsParser({
        runId,
        jobName,
        separator: config.kind === "keras_csv" ? config.separator : ",",
        dialect: config.kind === "keras_csv" ? "keras" : "lightning",
      });
      return { reset: () => parser.reset(), line: (text) => parser.line(text) };
    }
    case "json_lines":
      return {
        reset: () => undefined,
        line: (text) => {
          const checked = parseJsonLine(text, { runId, jobName });
          if (checked === undefined) return undefined;
          if ("malformed" in checked) return { invalid: checked.malformed };
          if (!checked.ok) return { refused: describeRecordErrors(checked.errors) };
          return { record: checked.value, key: text, checked: true };
        },
      };
  }
}

/** A parsed log line as the line tailer takes it: the line itself identifies the record. */
function withKey(
  parsed: { readonly record: TrainingRecord; readonly problems: readonly string[] } | undefined,
  text: string,
): ParsedLine {
  if (!parsed) return undefined;
  return { record: parsed.record, key: text, problems: parsed.problems };
}
