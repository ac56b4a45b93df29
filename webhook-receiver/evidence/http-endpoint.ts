import axios from "axios";
import type { AxiosInstance } from "axios";

/**
 * An API the receiver queries (Prometheus-compatible, Alertmanager), exactly as configured:
 * its address never comes from a payload. Credentials are already resolved into headers.
 */
export interface HttpEndpoint {
  /** Base URL without a trailing slash, e.g. http://prometheus:9090 or https://mimir/prometheus. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Largest response body read from an API (a runaway query must not exhaust memory). */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * One axios instance per endpoint: no redirects (a redirect could send credentials to
 * another host), a bounded body, every status returned to the caller to classify.
 */
export function endpointClient(endpoint: HttpEndpoint, timeoutMs: number): AxiosInstance {
  return axios.create({
    baseURL: endpoint.url,
    headers: { ...endpoint.headers },
    timeout: timeoutMs,
    maxRedirects: 0,
    maxContentLength: MAX_RESPONSE_BYTES,
    validateStatus: () => true,
    responseType: "json",
  });
}

/** Why a request to an evidence source failed. */
export type SourceFailure = "unavailable" | "bad_request";

export class SourceError extends Error {
  constructor(
    readonly source: "prometheus" | "alertmanager",
    readonly failure: SourceFailure,
    message: string,
  ) {
    super(message);
    this.name = "SourceError";
  }
}

/** A transport failure (refused, reset, timed out, aborted) as one short reason. */
export function transportReason(error: unknown): string {
  if (axios.isAxiosError(error)) {
    if (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT") return "timeout";
    if (error.code === "ERR_CANCELED") return "aborted";
    return error.code ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
