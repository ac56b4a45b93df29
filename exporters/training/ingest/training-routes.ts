import { Router } from "express";
import { sendHttpError } from "../../../core/server/http-error.js";
import {
  BATCH_HTTP_ERRORS,
  recordsOf,
  sendBatchOutcome,
} from "../../../core/ingest/record-batch.js";
import type { RecordError } from "../../../core/ingest/record-batch.js";
import type { CollectorHealth } from "../../process/collector-health.js";
import type { TrainingRuns } from "../model/training-runs.js";
import { validateTrainingRecord } from "./validate-training-record.js";

export interface TrainingRoutesOptions {
  readonly runs: TrainingRuns;
  readonly health: CollectorHealth;
  readonly maxRecordsPerRequest: number;
  readonly now: () => number;
}

/**
 * `POST /api/v1/training/events` (mounted under /api/v1, behind the exporter's auth and
 * body limit). Records are validated one by one and applied in order; see
 * `sendBatchOutcome` for the partial-acceptance rule.
 */
export function trainingRoutes(options: TrainingRoutesOptions): Router {
  const router = Router();
  router.post("/training/events", (req, res) => {
    const started = options.now();
    const batch = recordsOf(req.body);
    if (!batch.ok) {
      options.health.rejected("invalid_batch");
      sendHttpError(res, BATCH_HTTP_ERRORS["invalid-batch"]());
      return;
    }
    if (batch.records.length > options.maxRecordsPerRequest) {
      options.health.rejected("too_many_records", batch.records.length);
      sendHttpError(
        res,
        BATCH_HTTP_ERRORS["too-many-records"](
          `${batch.records.length} > ${options.maxRecordsPerRequest}; split the batch`,
        ),
      );
      return;
    }
    const errors: RecordError[] = [];
    let accepted = 0;
    let invalid = 0;
    batch.records.forEach((raw, index) => {
      const checked = validateTrainingRecord(raw);
      if (!checked.ok) {
        invalid++;
        for (const error of checked.errors) errors.push({ index, ...error });
        return;
      }
      const outcome = options.runs.apply(checked.value, "api");
      if (outcome === "applied") accepted++;
      else
        errors.push({
          index,
          field: "run_id",
          message: `the exporter already tracks its maximum number of runs; run ${JSON.stringify(checked.value.runId)} was not created`,
        });
    });
    if (invalid > 0) options.health.rejected("invalid_record", invalid);
    options.health.succeeded(options.now() - started);
    sendBatchOutcome(res, { received: batch.records.length, accepted, errors });
  });
  return router;
}
