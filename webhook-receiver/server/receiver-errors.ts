import { defineHttpErrors } from "../../core/server/http-error.js";

/**
 * Every way a request to the receiver can fail besides the shared ones (401, 413, 415,
 * 400 invalid JSON): permanent problems with the payload are 4xx, so Alertmanager does
 * not retry them; anything transient is 5xx, so it does.
 */
export const RECEIVER_HTTP_ERRORS = defineHttpErrors({
  "invalid-payload": { status: 400, message: "the body is not an Alertmanager webhook payload" },
  "unsupported-version": { status: 400, message: "unsupported webhook payload version" },
  "storage-unavailable": {
    status: 503,
    message: "the notification could not be stored; retry later",
  },
  "invalid-replay-request": { status: 400, message: "invalid replay request" },
  "limit-exceeded": {
    status: 413,
    message: "the payload exceeds a configured limit (limits: in receiver.yaml)",
  },
});
