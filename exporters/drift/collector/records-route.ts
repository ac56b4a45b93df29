import { Router } from "express";
import type { CollectorHealth } from "../../process/collector-health.js";
import { checkRecords, describeProblem } from "../quality/check-records.js";
import type { RejectReason } from "../quality/check-records.js";
import { DRIFT_HTTP_ERRORS } from "./drift-errors.js";
import type { FeatureRecord, ModelMonitor } from "./model-monitor.js";

export interface RecordsRouteDeps {
  readonly models: () => ReadonlyMap<string, ModelMonitor>;
  readonly maxRecordsPerBatch: number;
  readonly health: CollectorHealth;
  readonly now: () => number;
}

/**
 * POST /data/records {model, records: [{feature: value, ...}, ...]}. A batch is checked
 * whole before any of it is applied: a bad record refuses the batch with a 400 that names
 * the record index and field, the refused records are counted, and the window is left as
 * it was.
 */
export function recordsRoute(deps: RecordsRouteDeps): Router {
  const router = Router();
  router.post("/data/records", (req, res, next) => {
    const started = deps.now();
    const body: unknown = req.body;
    const refuse = (reason: RejectReason, records: number, error: Error): void => {
      deps.health.rejected(reason, Math.max(1, records));
      next(error);
    };
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      refuse("invalid_batch", 1, DRIFT_HTTP_ERRORS["invalid-batch"]());
      return;
    }
    const { model, records } = body as { model?: unknown; records?: unknown };
    const size = Array.isArray(records) ? records.length : 1;
    if (typeof model !== "string" || model === "") {
      refuse(
        "missing_model",
        size,
        DRIFT_HTTP_ERRORS["missing-model"](
          model === undefined ? undefined : `got ${JSON.stringify(model)}`,
        ),
      );
      return;
    }
    const monitor = deps.models().get(model);
    if (!monitor) {
      refuse(
        "unknown_model",
        size,
        DRIFT_HTTP_ERRORS["unknown-model"](
          `${JSON.stringify(model)} (configured: ${[...deps.models().keys()].join(", ")})`,
        ),
      );
      return;
    }
    if (!Array.isArray(records)) {
      refuse(
        "invalid_batch",
        1,
        DRIFT_HTTP_ERRORS["invalid-batch"]("records: expected an array of objects"),
      );
      return;
    }
    if (records.length > deps.maxRecordsPerBatch) {
      refuse(
        "too_many_records",
        records.length,
        DRIFT_HTTP_ERRORS["too-many-records"](
          `${records.length} > max_records_per_batch ${deps.maxRecordsPerBatch}; split the batch`,
        ),
      );
      return;
    }
    const problems = checkRecords(records, ["records"]);
    const first = problems[0];
    if (first) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
      refuse(
        first.reason,
        records.length,
        DRIFT_HTTP_ERRORS["invalid-record"](
          `${describeProblem(first)}${more}; the batch was not applied`,
          problems.map((p) => ({ path: p.path, error: describeProblem(p) })),
        ),
      );
      return;
    }
    monitor.ingest(records as FeatureRecord[], deps.now());
    deps.health.succeeded(deps.now() - started);
    res.json({ status: "success", data: { model, accepted: records.length } });
  });
  return router;
}
