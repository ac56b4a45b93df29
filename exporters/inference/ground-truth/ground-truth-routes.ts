import { Router } from "express";
import type { Request, Response } from "express";
import {
  BATCH_HTTP_ERRORS,
  recordsOf,
  sendBatchOutcome,
} from "../../../core/ingest/record-batch.js";
import type { RecordCheck, RecordError } from "../../../core/ingest/record-batch.js";
import { sendHttpError } from "../../../core/server/http-error.js";
import type { CollectorHealth } from "../../process/collector-health.js";
import type { GroundTruthStore } from "./ground-truth-store.js";
import { validateLabel, validatePrediction } from "./validate-ground-truth.js";

export interface GroundTruthRoutesOptions {
  readonly store: GroundTruthStore;
  readonly health: CollectorHealth;
  readonly maxRecordsPerRequest: number;
  readonly now: () => number;
}

/**
 * `POST /api/v1/inference/predictions` and `POST /api/v1/inference/labels`, with the
 * same batch rules as the training ingest (see `sendBatchOutcome`).
 */
export function groundTruthRoutes(options: GroundTruthRoutesOptions): Router {
  const router = Router();
  router.post("/inference/predictions", (req, res) => {
    handleBatch(req, res, options, validatePrediction, (prediction, index, errors) => {
      const outcome = options.store.predict(prediction);
      if (outcome === "recorded" || outcome === "duplicate") return true;
      options.health.rejected(outcome === "model_limit" ? "model_limit" : "duplicate_id");
      errors.push({
        index,
        field: outcome === "conflict" ? "id" : "model",
        message:
          outcome === "conflict"
            ? `a different prediction with id ${JSON.stringify(prediction.id)} is already waiting for its label`
            : "the exporter already tracks its maximum number of model versions (ground_truth.max_models)",
      });
      return false;
    });
  });
  router.post("/inference/labels", (req, res) => {
    let unmatched = 0;
    handleBatch(
      req,
      res,
      options,
      validateLabel,
      (label) => {
        if (!options.store.label(label)) unmatched++;
        return true;
      },
      () => ({ unmatched }),
    );
  });
  return router;
}

function handleBatch<T>(
  req: Request,
  res: Response,
  options: GroundTruthRoutesOptions,
  validate: (value: unknown) => RecordCheck<T>,
  apply: (value: T, index: number, errors: RecordError[]) => boolean,
  extra?: () => Record<string, number>,
): void {
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
    const checked = validate(raw);
    if (!checked.ok) {
      invalid++;
      for (const error of checked.errors) errors.push({ index, ...error });
    } else if (apply(checked.value, index, errors)) accepted++;
  });
  if (invalid > 0) options.health.rejected("invalid_record", invalid);
  options.health.succeeded(options.now() - started);
  sendBatchOutcome(res, { received: batch.records.length, accepted, errors, extra: extra?.() });
}
