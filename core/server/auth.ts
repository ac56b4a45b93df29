import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { COMMON_HTTP_ERRORS, sendHttpError } from "./http-error.js";
import { webAuthenticatedUser } from "./web-config/web-layer.js";

/**
 * Accepted credentials: bearer tokens and/or basic-auth pairs, matching what Prometheus
 * and Alertmanager send from their `http_config` (`authorization` or `basic_auth`).
 */
export interface Credentials {
  readonly bearerTokens: readonly string[];
  readonly basicAuth: readonly { readonly username: string; readonly password: string }[];
}

/**
 * Compares a presented secret with each accepted one in constant time: both sides are
 * hashed first, so neither length nor content leaks through timing, and every candidate
 * is compared even after a match.
 */
export function matchesAny(presented: string, accepted: readonly string[]): boolean {
  const digest = createHash("sha256").update(presented).digest();
  let matched = false;
  for (const candidate of accepted) {
    if (timingSafeEqual(digest, createHash("sha256").update(candidate).digest())) matched = true;
  }
  return matched;
}

export function isAuthorized(header: string | undefined, credentials: Credentials): boolean {
  if (!header) return false;
  const [scheme = "", ...rest] = header.trim().split(/\s+/);
  const value = rest.join(" ");
  if (/^bearer$/i.test(scheme)) return matchesAny(value, credentials.bearerTokens);
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    return matchesAny(
      decoded,
      credentials.basicAuth.map((c) => `${c.username}:${c.password}`),
    );
  }
  return false;
}

/**
 * The one decision every authenticated endpoint makes: a request is admitted when the
 * web layer admitted it as one of `--web.config.file`'s `basic_auth_users` (with those
 * set, every request carries that user's Basic credentials, so it cannot also carry a
 * token), or when it carries one of the server's own credentials.
 */
export function isRequestAuthorized(req: IncomingMessage, credentials: Credentials): boolean {
  return (
    webAuthenticatedUser(req) !== undefined || isAuthorized(req.headers.authorization, credentials)
  );
}

/**
 * Middleware that admits only authorised requests. `current` is read per request so a
 * reload that rotates credentials takes effect at once; `onRejected` counts refusals.
 */
export function requireAuth(
  current: () => Credentials,
  onRejected: (reason: "missing" | "invalid") => void,
) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isRequestAuthorized(req, current())) {
      next();
      return;
    }
    onRejected(req.headers.authorization ? "invalid" : "missing");
    res.setHeader("WWW-Authenticate", 'Bearer realm="aiwatch", Basic realm="aiwatch"');
    sendHttpError(res, COMMON_HTTP_ERRORS.unauthorized());
  };
}
