import express, { Router } from "express";
import type { Express } from "express";
import type { Logger } from "../../core/log/logger.js";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { wantsOpenMetrics } from "../../core/metrics/metrics-registry.js";
import { requireAuth } from "../../core/server/auth.js";
import type { Credentials } from "../../core/server/auth.js";
import { COMMON_HTTP_ERRORS, httpErrorHandler } from "../../core/server/http-error.js";
import { jsonBody } from "../../core/server/json-body.js";
import { lifecycleRoutes } from "../../core/server/lifecycle-routes.js";
import type { Lifecycle } from "../../core/server/lifecycle-routes.js";
import type { ExpositionRegistry } from "../exposition/exposition-registry.js";
import type { ExporterRuntime } from "./exporter-runtime.js";
import type { Counter } from "prom-client";

export interface ExporterAppDeps {
  readonly metrics: MetricsRegistry;
  readonly exposition: ExpositionRegistry;
  readonly runtime: ExporterRuntime;
  readonly lifecycle: Lifecycle;
  readonly credentials: () => Credentials;
  readonly maxBodyBytes: () => number;
  readonly authFailures: Counter<"reason">;
  readonly logger: Logger;
}

/**
 * GET /metrics renders the collectors' families after the process's own metrics, in the
 * format the scraper negotiates. Collector routes live under /api/v1, each request read
 * through the current credentials and body limit (a reload can change both).
 */
export function createExporterApp(deps: ExporterAppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  const guard = requireAuth(deps.credentials, (reason) => deps.authFailures.inc({ reason }));
  app.use(lifecycleRoutes(deps.lifecycle, guard));
  app.get("/metrics", (req, res, next) => {
    const openMetrics = wantsOpenMetrics(req.headers.accept);
    const registry = openMetrics ? deps.metrics.openMetrics : deps.metrics.text;
    registry.metrics().then(
      (own) => {
        const body = openMetrics
          ? own.replace(/# EOF\n?$/, "") + deps.exposition.renderOpenMetrics() + "# EOF\n"
          : own + deps.exposition.renderText();
        res.type(registry.contentType).send(body);
      },
      (error: unknown) => next(error),
    );
  });
  const api = Router();
  // One parser per limit: building express.json() per request cost ~20% of ingest time.
  let parser = { limit: deps.maxBodyBytes(), handler: jsonBody(deps.maxBodyBytes()) };
  api.use(guard, (req, res, next) => {
    const limit = deps.maxBodyBytes();
    if (limit !== parser.limit) parser = { limit, handler: jsonBody(limit) };
    parser.handler(req, res, next);
  });
  api.use((req, res, next) => {
    // Routers change on reload; dispatch through the ones running now.
    const routers = deps.runtime.collectors().flatMap((c) => (c.router ? [c.router] : []));
    const tryNext = (index: number): void => {
      const router = routers[index];
      if (!router) {
        next();
        return;
      }
      router(req, res, (error?: unknown) => (error ? next(error) : tryNext(index + 1)));
    };
    tryNext(0);
  });
  app.use("/api/v1", api);
  app.use((_req, _res, next) => next(COMMON_HTTP_ERRORS["not-found"]()));
  app.use(
    httpErrorHandler((error, req) =>
      deps.logger.error("unexpected error", { path: req.path, error }),
    ),
  );
  return app;
}
