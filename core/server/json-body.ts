import express from "express";
import type { NextFunction, Request, Response } from "express";
import { COMMON_HTTP_ERRORS, sendHttpError } from "./http-error.js";

/**
 * Parses a JSON body up to `limitBytes`. Oversized, malformed and non-JSON bodies are
 * answered with 413, 400 and 415 by the shared error handler, never by a crash.
 */
export function jsonBody(limitBytes: number) {
  const parse = express.json({ limit: limitBytes, strict: false, type: () => true });
  return (req: Request, res: Response, next: NextFunction): void => {
    const type = req.headers["content-type"];
    if (type !== undefined && !/^application\/(.+\+)?json\b/i.test(type)) {
      sendHttpError(res, COMMON_HTTP_ERRORS["unsupported-media-type"](`got ${type}`));
      return;
    }
    parse(req, res, next);
  };
}
