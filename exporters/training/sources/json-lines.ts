import type { TrainingRecord } from "../model/training-record.js";
import { RUN_STATUSES } from "../model/training-record.js";
import type { RunStatus } from "../model/training-record.js";
import { parsePythonJson } from "./python-json.js";

/**
 * One line of a JSON lines metrics file. Two shapes are read: the ingest API's record
 * (`{"step": 10, "metrics": {"loss": 0.5}, "run_id"?: .., "job_name"?: .., "timestamp"?: ..}`)
 * and a flat object (`{"step": 10, "loss": 0.5, "lr": 1e-4}`) where every other number is
 * a metric. `step` (or `global_step`, `iter`) names the step; `timestamp`/`time` (seconds)
 * the time. run_id and job_name on the line win over the tailer's.
 */
export function parseJsonLine(
  text: string,
  defaults: { readonly runId: string; readonly jobName: string },
): TrainingRecord | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let parsed: unknown;
  try {
    parsed = parsePythonJson(trimmed);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const line = parsed as Record<string, unknown>;
  const nested =
    line["metrics"] !== null &&
    typeof line["metrics"] === "object" &&
    !Array.isArray(line["metrics"])
      ? (line["metrics"] as Record<string, unknown>)
      : undefined;
  const metrics = Object.create(null) as Record<string, number>;
  const source = nested ?? line;
  for (const key in source) {
    const value = source[key];
    if (typeof value !== "number" || (!nested && RESERVED.has(key))) continue;
    metrics[key] = value;
  }
  const step = firstNumber(line, ["step", "global_step", "iter", "iteration"]);
  const timestamp = firstNumber(line, ["timestamp", "time", "ts"]);
  const status =
    typeof line["status"] === "string" &&
    (RUN_STATUSES as readonly string[]).includes(line["status"])
      ? (line["status"] as RunStatus)
      : undefined;
  if (Object.keys(metrics).length === 0 && status === undefined) return undefined;
  return {
    runId: typeof line["run_id"] === "string" && line["run_id"] ? line["run_id"] : defaults.runId,
    jobName:
      typeof line["job_name"] === "string" && line["job_name"]
        ? line["job_name"]
        : defaults.jobName,
    step,
    timestampSeconds: timestamp !== undefined && timestamp > 1e11 ? timestamp / 1000 : timestamp,
    metrics,
    status,
    maxSteps: firstNumber(line, ["max_steps"]),
  };
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

function firstNumber(line: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = line[key];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return undefined;
}
