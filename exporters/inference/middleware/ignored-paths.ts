import type { IncomingMessage } from "node:http";

/**
 * Paths that are not inference: scrapes and health probes. A service mounted as the
 * README shows gets Prometheus's scrape of /metrics every 15 s and a probe or two per
 * second from Kubernetes; counted as requests they would dilute error ratios, pull
 * latency quantiles down, and keep `in_flight` at 1 in every scrape. Prometheus's own
 * lifecycle paths, Kubernetes' probe conventions (`/healthz`, `/livez`, `/readyz`), and
 * the health routes of the common model servers: vLLM and TGI (`/health`, `/ping`),
 * Triton (`/v2/health/live`, `/v2/health/ready`).
 */
export const DEFAULT_IGNORED_PATHS: readonly string[] = [
  "/metrics",
  "/-/healthy",
  "/-/ready",
  "/-/reload",
  "/healthz",
  "/livez",
  "/readyz",
  "/health",
  "/ping",
  "/v2/health/live",
  "/v2/health/ready",
  "/favicon.ico",
];

/**
 * Whether a request's path (query string and one trailing slash aside) is one of
 * `paths`. Express's `originalUrl` is used when present, so a middleware mounted under a
 * prefix still sees the full path.
 */
export function ignoredPath(paths: readonly string[]): (req: IncomingMessage) => boolean {
  const set = new Set(paths.map(normalise));
  return (req) => {
    if (set.size === 0) return false;
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "";
    const query = url.search(/[?#]/);
    return set.has(normalise(query < 0 ? url : url.slice(0, query)));
  };
}

function normalise(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}
