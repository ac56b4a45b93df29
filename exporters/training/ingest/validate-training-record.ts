import { describeValue } from "../../../core/config/schema-diagnostics.js";
import {
  FieldChecks,
  METRIC_VALUE_EXPECTED,
  metricValue,
} from "../../../core/ingest/field-checks.js";
import type { RecordCheck } from "../../../core/ingest/record-batch.js";
import { RUN_STATUSES } from "../model/training-record.js";
import type { TrainingRecord } from "../model/training-record.js";

const FIELDS = [
  "run_id",
  "job_name",
  "rank",
  "step",
  "timestamp",
  "metrics",
  "status",
  "max_steps",
] as const;

export const MAX_LABEL_LENGTH = 256;
export const MAX_METRIC_NAME_LENGTH = 200;
export const MAX_METRICS_PER_RECORD = 1000;
/** torch.distributed ranks are 32-bit ints; a larger number is not a rank. */
export const MAX_RANK = 2 ** 31 - 1;

export interface TrainingRecordRules {
  /**
   * The API requires the step of every metric; tailed files may not say it (a Hugging
   * Face log before its first progress bar), and their points are still worth keeping.
   */
  readonly stepRequired: boolean;
}

const API_RULES: TrainingRecordRules = { stepRequired: true };

/**
 * Checks one record of `POST /api/v1/training/events`:
 * `{run_id, job_name, rank?, step, timestamp?, metrics: {name: value}, status?, max_steps?}`.
 * `rank` (an integer >= 0) makes each process of a distributed job a run of its own,
 * told apart by the `rank` label.
 * `step` is required when the record carries metrics; a record may carry only a status
 * (`{"run_id": .., "job_name": .., "status": "finished"}`). Tailers apply the same checks
 * (see `validateTailedRecord`), so a file cannot feed values the API would refuse.
 */
export function validateTrainingRecord(
  value: unknown,
  rules: TrainingRecordRules = API_RULES,
): RecordCheck<TrainingRecord> {
  const check = new FieldChecks();
  const record = check.object(value, FIELDS);
  if (!record) return { ok: false, errors: check.errors };
  const runId = check.string("run_id", record["run_id"], MAX_LABEL_LENGTH);
  const jobName = check.string("job_name", record["job_name"], MAX_LABEL_LENGTH);
  const rank = record["rank"] === undefined ? undefined : rankOf(check, record["rank"]);
  const step = record["step"] === undefined ? undefined : check.count("step", record["step"]);
  const timestampSeconds =
    record["timestamp"] === undefined
      ? undefined
      : check.timestampSeconds("timestamp", record["timestamp"]);
  const status =
    record["status"] === undefined
      ? undefined
      : check.oneOf("status", record["status"], RUN_STATUSES);
  const maxSteps =
    record["max_steps"] === undefined ? undefined : check.count("max_steps", record["max_steps"]);
  const metrics = metricsOf(check, record["metrics"]);
  const hasMetrics = metrics !== undefined && Object.keys(metrics).length > 0;
  if (rules.stepRequired && hasMetrics && record["step"] === undefined)
    check.fail("step", "missing: a record with metrics needs the step they belong to");
  if (
    !hasMetrics &&
    record["metrics"] === undefined &&
    status === undefined &&
    step === undefined &&
    maxSteps === undefined
  )
    check.fail("", "the record carries nothing: expected metrics, step, max_steps or status");
  if (check.errors.length > 0 || runId === undefined || jobName === undefined)
    return { ok: false, errors: check.errors };
  return {
    ok: true,
    value: {
      runId,
      jobName,
      rank,
      step,
      timestampSeconds,
      metrics: metrics ?? {},
      status,
      maxSteps,
    },
  };
}

function rankOf(check: FieldChecks, value: unknown): number | undefined {
  const rank = check.count("rank", value);
  if (rank !== undefined && rank > MAX_RANK)
    return check.fail("rank", `expected a process rank from 0 to ${MAX_RANK}, got ${rank}`);
  return rank;
}

function metricsOf(check: FieldChecks, value: unknown): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return check.fail("metrics", `expected an object of name: value, got ${describeValue(value)}`);
  // A null prototype: a metric called "__proto__" or "constructor" is just a name.
  const metrics = Object.create(null) as Record<string, number>;
  let count = 0;
  for (const name in value) {
    const raw = (value as Record<string, unknown>)[name];
    if (++count > MAX_METRICS_PER_RECORD) {
      check.fail("metrics", `expected at most ${MAX_METRICS_PER_RECORD} metrics in one record`);
      break;
    }
    if (name.length === 0 || name.length > MAX_METRIC_NAME_LENGTH) {
      check.fail("metrics", `metric names must have 1 to ${MAX_METRIC_NAME_LENGTH} characters`);
      continue;
    }
    const number = metricValue(raw);
    if (number === undefined) {
      check.fail(
        `metrics.${name}`,
        `${METRIC_VALUE_EXPECTED}, got ${describeValue(raw)}${
          raw === null ? ' (JSON.stringify writes NaN as null: send the string "NaN")' : ""
        }`,
      );
      continue;
    }
    metrics[name] = number;
  }
  return metrics;
}

/** A record a tailer read, checked by the API's rules except that the step may be absent. */
export function validateTailedRecord(record: TrainingRecord): RecordCheck<TrainingRecord> {
  return validateTrainingRecord(wireRecord(record), { stepRequired: false });
}

/** The API's shape of a record, without the fields it does not have. */
function wireRecord(record: TrainingRecord): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    run_id: record.runId,
    job_name: record.jobName,
    metrics: record.metrics,
  };
  if (record.rank !== undefined) wire["rank"] = record.rank;
  if (record.step !== undefined) wire["step"] = record.step;
  if (record.timestampSeconds !== undefined) wire["timestamp"] = record.timestampSeconds;
  if (record.status !== undefined) wire["status"] = record.status;
  if (record.maxSteps !== undefined) wire["max_steps"] = record.maxSteps;
  return wire;
}

/** `step: expected ...; metrics.loss: expected ...`, for a log line. */
export function describeRecordErrors(
  errors: readonly { readonly field: string; readonly message: string }[],
): string {
  return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join("; ");
}
