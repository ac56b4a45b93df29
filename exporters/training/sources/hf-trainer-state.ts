import type { TrainingRecord } from "../model/training-record.js";
import { parsePythonJson } from "./python-json.js";

/** What aiwatch reads from a Hugging Face `trainer_state.json`. */
export interface TrainerState {
  /** `log_history`: one object per logging or evaluation event, oldest first. */
  readonly entries: readonly Readonly<Record<string, unknown>>[];
  readonly globalStep: number | undefined;
  readonly maxSteps: number | undefined;
  /** The Trainer stopped (reached max_steps, early stopping, or wrote its final summary). */
  readonly finished: boolean;
}

/**
 * Parses a trainer_state.json. The Trainer rewrites it in place at every save (not
 * atomically), so a read can catch it half-written: that throws, and the caller retries.
 */
export function parseTrainerState(text: string): TrainerState {
  const state = parsePythonJson(text) as Record<string, unknown> | null;
  if (state === null || typeof state !== "object" || !Array.isArray(state["log_history"]))
    throw new Error("not a trainer_state.json: no log_history list");
  const entries = (state["log_history"] as unknown[]).filter(
    (e): e is Record<string, unknown> => e !== null && typeof e === "object" && !Array.isArray(e),
  );
  const globalStep = numberOrUndefined(state["global_step"]);
  const maxSteps = numberOrUndefined(state["max_steps"]);
  const control = (state["stateful_callbacks"] as Record<string, unknown> | undefined)?.[
    "TrainerControl"
  ] as { args?: { should_training_stop?: unknown } } | undefined;
  const finished =
    control?.args?.should_training_stop === true ||
    (maxSteps !== undefined &&
      maxSteps > 0 &&
      globalStep !== undefined &&
      globalStep >= maxSteps) ||
    entries.some((e) => "train_runtime" in e);
  return { entries, globalStep, maxSteps, finished };
}

/**
 * One log_history entry as a record: every number but `step` is a metric. The final
 * summary entry (the one with `train_runtime`) reports `train_loss` as the mean over the
 * whole run, so it is renamed `train_loss_average` rather than overwrite the latest loss.
 */
export function trainerEntryRecord(
  entry: Readonly<Record<string, unknown>>,
  runId: string,
  jobName: string,
): TrainingRecord {
  const summary = "train_runtime" in entry;
  const metrics = Object.create(null) as Record<string, number>;
  for (const key in entry) {
    const value = entry[key];
    if (key === "step" || typeof value !== "number") continue;
    metrics[summary && key === "train_loss" ? "train_loss_average" : key] = value;
  }
  return { runId, jobName, step: numberOrUndefined(entry["step"]), metrics };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
