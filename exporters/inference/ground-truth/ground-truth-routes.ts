import { Router } from "express";
import { handleRecordBatch } from "../../../core/ingest/record-batch.js";
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
    handleRecordBatch(req, res, options, validatePrediction, (prediction, index, errors) => {
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
    handleRecordBatch(
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
