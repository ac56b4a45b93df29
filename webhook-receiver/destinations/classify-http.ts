import type { HttpResponse } from "./http-client.js";
import { DELIVERED, permanent, resize, retry } from "./delivery-outcome.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";

/**
 * The HTTP-status part of classification, shared by every HTTP destination
 * (https://www.rfc-editor.org/rfc/rfc9110): 2xx delivered, 408/425/429/5xx transient,
 * 413 too large, other 4xx permanent. Platforms refine this with their in-band codes.
 */
export function classifyHttpStatus(response: HttpResponse, now: number): DeliveryOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return DELIVERED;
  const detail = `HTTP ${status}${response.body ? `: ${response.body.slice(0, 200)}` : ""}`;
  if (status === 429)
    return retry(detail, parseRetryAfter(response.headers["retry-after"], now), true);
  if (status === 413) return resize(detail);
  if (status === 408 || status === 425 || status >= 500)
    return retry(detail, parseRetryAfter(response.headers["retry-after"], now));
  return permanent(detail);
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 section 10.2.3), in milliseconds. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
