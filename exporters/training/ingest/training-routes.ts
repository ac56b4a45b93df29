import { Router } from "express";
import { handleRecordBatch } from "../../../core/ingest/record-batch.js";
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
    handleRecordBatch(req, res, options, validateTrainingRecord, (record, index, errors) => {
      if (options.runs.apply(record, "api") === "applied") return true;
      errors.push({
        index,
        field: "run_id",
        message: `the exporter already tracks its maximum number of runs (each rank counts); run ${JSON.stringify(record.runId)}${record.rank === undefined ? "" : ` rank ${record.rank}`} was not created`,
      });
      return false;
    });
  });
  return router;
}
