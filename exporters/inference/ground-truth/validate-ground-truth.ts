import { describeValue } from "../../../core/config/schema-diagnostics.js";
import { FieldChecks } from "../../../core/ingest/field-checks.js";
import type { RecordCheck } from "../../../core/ingest/record-batch.js";
import type { GroundTruthLabel, Outcome, Prediction } from "./ground-truth-store.js";

const MAX_ID = 256;
const MAX_LABEL = 256;
const MAX_OUTCOME = 1024;

/** `{id, model, model_version?, predicted, timestamp?}` */
export function validatePrediction(value: unknown): RecordCheck<Prediction> {
  const check = new FieldChecks();
  const record = check.object(value, ["id", "model", "model_version", "predicted", "timestamp"]);
  if (!record) return { ok: false, errors: check.errors };
  const id = check.string("id", record["id"], MAX_ID);
  const model = check.string("model", record["model"], MAX_LABEL);
  const modelVersion =
    record["model_version"] === undefined
      ? ""
      : check.string("model_version", record["model_version"], MAX_LABEL);
  const predicted = outcome(check, "predicted", record["predicted"]);
  const timestampSeconds =
    record["timestamp"] === undefined
      ? undefined
      : check.timestampSeconds("timestamp", record["timestamp"]);
  if (check.errors.length > 0 || id === undefined || model === undefined || predicted === undefined)
    return { ok: false, errors: check.errors };
  return {
    ok: true,
    value: { id, model, modelVersion: modelVersion ?? "", predicted, timestampSeconds },
  };
}

/** `{id, actual, timestamp?}` */
export function validateLabel(value: unknown): RecordCheck<GroundTruthLabel> {
  const check = new FieldChecks();
  const record = check.object(value, ["id", "actual", "timestamp"]);
  if (!record) return { ok: false, errors: check.errors };
  const id = check.string("id", record["id"], MAX_ID);
  const actual = outcome(check, "actual", record["actual"]);
  const timestampSeconds =
    record["timestamp"] === undefined
      ? undefined
      : check.timestampSeconds("timestamp", record["timestamp"]);
  if (check.errors.length > 0 || id === undefined || actual === undefined)
    return { ok: false, errors: check.errors };
  return { ok: true, value: { id, actual, timestampSeconds } };
}

function outcome(check: FieldChecks, field: string, value: unknown): Outcome | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.length <= MAX_OUTCOME) return value;
  return check.fail(
    field,
    `expected a class name (string of at most ${MAX_OUTCOME} characters), a finite number or a boolean, got ${describeValue(value)}`,
  );
}
