import { parse } from "yaml";
import type { RunStatus } from "../model/training-record.js";
import { parsePythonNumber } from "./csv-line.js";

/**
 * MLflow's file store (`mlruns/`): `<experiment>/meta.yaml` names the experiment,
 * `<experiment>/<run>/meta.yaml` describes a run, and `<run>/metrics/<key>` holds one
 * line per logged value, `<timestamp ms> <value> <step>` (a key with `/` is a nested
 * path). See mlflow/store/tracking/file_store.py.
 */
export interface MlflowRunMeta {
  readonly runId: string;
  readonly runName: string | undefined;
  readonly status: RunStatus;
  readonly endTimeMs: number | undefined;
  readonly deleted: boolean;
}

/** MLflow's RunStatus enum: RUNNING 1, SCHEDULED 2, FINISHED 3, FAILED 4, KILLED 5. */
const STATUSES: ReadonlyMap<string, RunStatus> = new Map([
  ["1", "running"],
  ["2", "running"],
  ["3", "finished"],
  ["4", "failed"],
  ["5", "failed"],
  ["RUNNING", "running"],
  ["SCHEDULED", "running"],
  ["FINISHED", "finished"],
  ["FAILED", "failed"],
  ["KILLED", "failed"],
]);

export function parseMlflowRunMeta(text: string): MlflowRunMeta | undefined {
  const meta = parse(text) as Record<string, unknown> | null;
  if (meta === null || typeof meta !== "object") return undefined;
  const runId = meta["run_id"] ?? meta["run_uuid"];
  if (typeof runId !== "string" || runId === "") return undefined;
  const endTime = meta["end_time"];
  return {
    runId,
    runName: typeof meta["run_name"] === "string" ? meta["run_name"] : undefined,
    status: STATUSES.get(String(meta["status"])) ?? "running",
    endTimeMs: typeof endTime === "number" && endTime > 0 ? endTime : undefined,
    deleted: meta["lifecycle_stage"] === "deleted",
  };
}

/** The experiment's name from its meta.yaml, if it has one. */
export function parseMlflowExperimentName(text: string): string | undefined {
  const meta = parse(text) as Record<string, unknown> | null;
  const name = meta && typeof meta === "object" ? meta["name"] : undefined;
  return typeof name === "string" && name !== "" ? name : undefined;
}

export interface MlflowMetricPoint {
  readonly timestampMs: number;
  readonly value: number;
  readonly step: number;
}

/** `1700000000000 0.25 10`; the step is optional in old files (then 0). */
export function parseMlflowMetricLine(line: string): MlflowMetricPoint | undefined {
  const parts = line.trim().split(" ");
  if (parts.length < 2 || parts.length > 3) return undefined;
  const timestampMs = Number(parts[0]);
  const value = parsePythonNumber(parts[1] ?? "");
  const step = parts.length === 3 ? Number(parts[2]) : 0;
  if (!Number.isFinite(timestampMs) || value === undefined || !Number.isFinite(step))
    return undefined;
  return { timestampMs, value, step };
}
