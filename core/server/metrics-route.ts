import type { RequestHandler } from "express";
import type { MetricsRegistry } from "../metrics/metrics-registry.js";
import { wantsOpenMetrics } from "../metrics/metrics-registry.js";

/** GET /metrics for a process's own metrics, in the format the scraper asks for. */
export function metricsHandler(metrics: MetricsRegistry): RequestHandler {
  return (req, res, next) => {
    const registry = wantsOpenMetrics(req.headers.accept) ? metrics.openMetrics : metrics.text;
    registry.metrics().then(
      (body) => res.type(registry.contentType).send(body),
      (error: unknown) => next(error),
    );
  };
}
