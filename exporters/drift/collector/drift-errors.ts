import { defineHttpErrors } from "../../../core/server/http-error.js";

/** Every way POST /api/v1/data/records can be refused (besides auth, size and JSON errors). */
export const DRIFT_HTTP_ERRORS = defineHttpErrors({
  "invalid-batch": {
    status: 400,
    message: 'expected a JSON object {"model": NAME, "records": [...]}',
  },
  "missing-model": { status: 400, message: "model: required, the name of a configured model" },
  "unknown-model": { status: 400, message: "model: not a configured model" },
  "too-many-records": { status: 400, message: "records: too many records in one batch" },
  "invalid-record": { status: 400, message: "invalid record" },
});
