import type { NextFunction, Request, Response } from "express";
import type { Counter } from "prom-client";

/** The `reason` label of aiwatch_exporter_rejected_requests_total. */
export type RefusalReason =
  | "missing_credentials"
  | "invalid_credentials"
  | "body_too_large"
  | "unsupported_media_type"
  | "invalid_json";

/** Set on `res.locals` once a request reaches the collectors' routes, which count their own refusals. */
export const REACHED_COLLECTORS = "aiwatchReachedCollectors";

/**
 * Counts requests refused before any collector saw them: credentials (401), body size
 * (413), content type (415) and JSON syntax (400). Refusals happen in several places
 * (the auth guard, the body parser, the error handler), so they are read from the
 * status of the finished response, as the webhook receiver does. `endpointOf` must map
 * a path to a bounded label value: an unauthenticated caller chooses the path.
 */
export function countRefusedRequests(
  counter: Counter<"endpoint" | "reason">,
  endpointOf: (path: string) => string,
) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.on("finish", () => {
      if (res.statusCode < 400 || res.locals[REACHED_COLLECTORS] === true) return;
      const reason = refusalReason(res.statusCode, req.headers.authorization);
      if (reason === undefined) return;
      // originalUrl: a mounted router may still hold req.url stripped of its mount path.
      counter.inc({ endpoint: endpointOf(req.originalUrl.split("?")[0] ?? ""), reason });
    });
    next();
  };
}

function refusalReason(
  status: number,
  authorization: string | undefined,
): RefusalReason | undefined {
  switch (status) {
    case 401:
      return authorization ? "invalid_credentials" : "missing_credentials";
    case 413:
      return "body_too_large";
    case 415:
      return "unsupported_media_type";
    case 400:
      return "invalid_json";
    default:
      return undefined;
  }
}
