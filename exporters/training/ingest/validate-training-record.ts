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
  "step",
  "timestamp",
  "metrics",
  "status",
  "max_steps",
] as const;

export const MAX_LABEL_LENGTH = 256;
export const MAX_METRIC_NAME_LENGTH = 200;
export const MAX_METRICS_PER_RECORD = 1000;

/**
 * Checks one record of `POST /api/v1/training/events`:
 * `{run_id, job_name, step, timestamp?, metrics: {name: value}, status?, max_steps?}`.
 * `step` is required when the record carries metrics; a record may carry only a status
 * (`{"run_id": .., "job_name": .., "status": "finished"}`).
 */
export function validateTrainingRecord(value: unknown): RecordCheck<TrainingRecord> {
  const check = new FieldChecks();
  const record = check.object(value, FIELDS);
  if (!record) return { ok: false, errors: check.errors };
  const runId = check.string("run_id", record["run_id"], MAX_LABEL_LENGTH);
  const jobName = check.string("job_name", record["job_name"], MAX_LABEL_LENGTH);
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
  if (hasMetrics && record["step"] === undefined)
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
      step,
      timestampSeconds,
      metrics: metrics ?? {},
      status,
      maxSteps,
    },
  };
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
