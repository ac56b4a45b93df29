import type { RecordCheck } from "../../../core/ingest/record-batch.js";
import { describeValue } from "../../../core/config/schema-diagnostics.js";
import { validateTrainingRecord } from "../ingest/validate-training-record.js";
import type { TrainingRecord } from "../model/training-record.js";
import { RUN_STATUSES } from "../model/training-record.js";
import { parsePythonJson } from "./python-json.js";

/**
 * One line of a JSON lines metrics file. Two shapes are read: the ingest API's record
 * (`{"step": 10, "metrics": {"loss": 0.5}, "run_id"?: .., "job_name"?: .., "timestamp"?: ..}`)
 * and a flat object (`{"step": 10, "loss": 0.5, "lr": 1e-4}`) where every other number is
 * a metric. `step` (or `global_step`, `iter`) names the step; `timestamp`/`time` (seconds,
 * or milliseconds when larger than 1e11) the time. run_id and job_name on the line win
 * over the tailer's; so does `rank` on a line of the API's shape (on a flat line `rank` is
 * a user's own number, a LoRA rank as likely as a process's, so it stays a metric). The line is then checked by the ingest API's rules (the step may be
 * absent): `"step": -1` or `"step": "x"` is an error, never a silently dropped step.
 * `malformed` when the line is not a JSON object at all; undefined for a blank line.
 */
export function parseJsonLine(
  text: string,
  defaults: { readonly runId: string; readonly jobName: string },
): RecordCheck<TrainingRecord> | { readonly malformed: string } | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  let parsed: unknown;
  try {
    parsed = trimmed.startsWith("{") ? parsePythonJson(trimmed) : undefined;
  } catch (error) {
    return { malformed: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    return { malformed: `expected a JSON object, got ${describeLine(trimmed, parsed)}` };
  const line = parsed as Record<string, unknown>;
  const nested =
    line["metrics"] !== null &&
    typeof line["metrics"] === "object" &&
    !Array.isArray(line["metrics"])
      ? (line["metrics"] as Record<string, unknown>)
      : undefined;
  let metrics: Record<string, unknown> | undefined = nested;
  if (!nested) {
    // A null prototype: a metric called "__proto__" or "constructor" is just a name.
    metrics = Object.create(null) as Record<string, unknown>;
    for (const key in line) {
      const value = line[key];
      if (typeof value === "number" && !RESERVED.has(key)) metrics[key] = value;
    }
  }
  const wire: Record<string, unknown> = {
    run_id: typeof line["run_id"] === "string" && line["run_id"] ? line["run_id"] : defaults.runId,
    job_name:
      typeof line["job_name"] === "string" && line["job_name"]
        ? line["job_name"]
        : defaults.jobName,
  };
  if (nested && line["rank"] !== undefined) wire["rank"] = line["rank"];
  // A flat line without numbers has no metrics (the API's "carries nothing" applies).
  if (metrics && (nested || Object.keys(metrics).length > 0)) wire["metrics"] = metrics;
  const step = firstPresent(line, ["step", "global_step", "iter", "iteration"]);
  if (step !== undefined) wire["step"] = step;
  const timestamp = firstPresent(line, ["timestamp", "time", "ts"]);
  // On the API's shape every field is the API's and checked as such. A flat line is a
  // user's own log: its `time` may be a formatted date and its `status` their own word,
  // so only values in the API's form are taken from it, and the metrics are kept.
  const taken = (value: unknown, ok: boolean): boolean =>
    value !== undefined && (nested !== undefined || ok);
  if (taken(timestamp, typeof timestamp === "number"))
    wire["timestamp"] =
      typeof timestamp === "number" && timestamp > 1e11 ? timestamp / 1000 : timestamp;
  const status = line["status"];
  if (
    taken(
      status,
      typeof status === "string" && (RUN_STATUSES as readonly string[]).includes(status),
    )
  )
    wire["status"] = status;
  if (taken(line["max_steps"], typeof line["max_steps"] === "number"))
    wire["max_steps"] = line["max_steps"];
  return validateTrainingRecord(wire, { stepRequired: false });
}

const RESERVED = new Set([
  "step",
  "global_step",
  "iter",
  "iteration",
  "timestamp",
  "time",
  "ts",
  "max_steps",
]);

function firstPresent(line: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (Object.hasOwn(line, key)) return line[key];
  return undefined;
}

function describeLine(text: string, parsed: unknown): string {
  return parsed === undefined ? JSON.stringify(text.slice(0, 40)) : describeValue(parsed);
}
