import { basename, dirname, resolve } from "node:path";
import { durationMs } from "../../../core/config/zod-fields.js";
import { CsvMetricsParser } from "../sources/csv-metrics.js";
import { HfLogParser } from "../sources/hf-log-lines.js";
import { parseJsonLine } from "../sources/json-lines.js";
import type { TailerConfig } from "../training-config.js";
import { HfTrainerStateTailer } from "./hf-trainer-state-tailer.js";
import { LineTailer } from "./line-tailer.js";
import type { LineParser } from "./line-tailer.js";
import { MlflowTailer } from "./mlflow-tailer.js";
import type { RecordSink, Tailer } from "./tailer.js";

export interface TailerContext {
  readonly sink: RecordSink;
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
  if (config.kind === "mlflow") {
    return {
      intervalMs,
      tailer: new MlflowTailer({
        name,
        path,
        jobName: config.job_name,
        finishedRetentionMs: context.finishedRetentionMs,
        now: context.now,
        sink: context.sink,
      }),
    };
  }
  const runId = config.run_id ?? defaultRunId(config.kind, path);
  const jobName = config.job_name;
  if (config.kind === "hf_trainer_state")
    return {
      intervalMs,
      tailer: new HfTrainerStateTailer(name, path, runId, jobName, context.sink),
    };
  const parser = lineParser(config, runId, jobName);
  return { intervalMs, tailer: new LineTailer(name, config.kind, path, parser, context.sink) };
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

function lineParser(
  config: Exclude<TailerConfig, { kind: "mlflow" | "hf_trainer_state" }>,
  runId: string,
  jobName: string,
): LineParser {
  switch (config.kind) {
    case "hf_log": {
      let parser = new HfLogParser(runId, jobName);
      return {
        reset: () => (parser = new HfLogParser(runId, jobName)),
        line: (text) => {
          const record = parser.line(text);
          return record ? { record, key: text } : undefined;
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
          const record = parseJsonLine(text, { runId, jobName });
          return record ? { record, key: text } : undefined;
        },
      };
  }
}
