import type { NextFunction, Request, Response } from "express";

/**
 * An error with its HTTP status and a stable code. Each server keeps one catalogue of
 * its errors (see `defineHttpErrors`), so every way a request can fail is in one file.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface HttpErrorSpec {
  readonly status: number;
  readonly message: string;
}

/** Builds constructors from a catalogue: `errors.bodyTooLarge("limit 1mb")`. */
export function defineHttpErrors<const C extends Record<string, HttpErrorSpec>>(
  catalogue: C,
): { readonly [K in keyof C]: (detail?: string, details?: unknown) => HttpError } & {
  readonly catalogue: C;
} {
  const makers = Object.fromEntries(
    Object.entries(catalogue).map(([code, spec]) => [
      code,
      (detail?: string, details?: unknown) =>
        new HttpError(
          spec.status,
          code,
          detail ? `${spec.message}: ${detail}` : spec.message,
          details,
        ),
    ]),
  );
  return Object.assign(makers, { catalogue }) as never;
}

/** The errors every aiwatch server shares. */
export const COMMON_HTTP_ERRORS = defineHttpErrors({
  unauthorized: { status: 401, message: "missing or wrong credentials" },
  "body-too-large": { status: 413, message: "request body is larger than the limit" },
  "invalid-json": { status: 400, message: "request body is not valid JSON" },
  "unsupported-media-type": { status: 415, message: "request body must be application/json" },
  "not-found": { status: 404, message: "no such endpoint" },
  "not-ready": { status: 503, message: "not ready" },
  "reload-failed": {
    status: 500,
    message: "configuration reload failed; the previous configuration stays active",
  },
  internal: { status: 500, message: "internal error" },
});

/** JSON error body in the shape of Prometheus's API: {status, errorType, error}. */
export function sendHttpError(res: Response, error: HttpError): void {
  if (res.headersSent) return;
  res.status(error.status).json({
    status: "error",
    errorType: error.code,
    error: error.message,
    ...(error.details !== undefined ? { details: error.details } : {}),
  });
}

/**
 * Express error handler: known errors answer with their status; anything else is a 500
 * that is logged (by `onUnexpected`), never a crash.
 */
export function httpErrorHandler(onUnexpected: (error: unknown, req: Request) => void) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof HttpError) {
      sendHttpError(res, error);
      return;
    }
    const fromBodyParser = bodyParserError(error);
    if (fromBodyParser) {
      sendHttpError(res, fromBodyParser);
      return;
    }
    onUnexpected(error, req);
    sendHttpError(res, COMMON_HTTP_ERRORS.internal());
  };
}

/** express.json() reports size, syntax and charset problems with a `type`; map them to codes. */
function bodyParserError(error: unknown): HttpError | undefined {
  if (typeof error !== "object" || error === null || !("type" in error)) return undefined;
  const { type, message, limit } = error as { type: unknown; message?: string; limit?: number };
  switch (type) {
    case "entity.too.large":
      return COMMON_HTTP_ERRORS["body-too-large"](
        limit !== undefined ? `${limit} bytes` : undefined,
      );
    case "entity.parse.failed":
      return COMMON_HTTP_ERRORS["invalid-json"](message);
    case "encoding.unsupported":
    case "charset.unsupported":
      return COMMON_HTTP_ERRORS["unsupported-media-type"](message);
    case "request.aborted":
      return new HttpError(400, "request-aborted", "the client aborted the request");
    default:
      return undefined;
  }
}
