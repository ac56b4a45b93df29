import express, { Router } from "express";
import type { Express } from "express";
import type { Logger } from "../../core/log/logger.js";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { wantsOpenMetrics } from "../../core/metrics/metrics-registry.js";
import { requireAuth } from "../../core/server/auth.js";
import type { Credentials } from "../../core/server/auth.js";
import { COMMON_HTTP_ERRORS, httpErrorHandler } from "../../core/server/http-error.js";
import { jsonBody } from "../../core/server/json-body.js";
import { landingPageHandler } from "../../core/server/landing-page.js";
import { lifecycleRoutes } from "../../core/server/lifecycle-routes.js";
import type { Lifecycle } from "../../core/server/lifecycle-routes.js";
import type { ExpositionRegistry } from "../exposition/exposition-registry.js";
import { writeExposition } from "../exposition/write-exposition.js";
import { countRefusedRequests, REACHED_COLLECTORS } from "./count-refused-requests.js";
import type { ExporterRuntime } from "./exporter-runtime.js";
import type { Counter } from "prom-client";

const API = "/api/v1";
const GUARDED_LIFECYCLE = "/-/reload";

export interface ExporterAppDeps {
  readonly metrics: MetricsRegistry;
  readonly exposition: ExpositionRegistry;
  readonly runtime: ExporterRuntime;
  readonly lifecycle: Lifecycle;
  readonly credentials: () => Credentials;
  readonly maxBodyBytes: () => number;
  /** aiwatch_exporter_rejected_requests_total{endpoint,reason}. */
  readonly rejectedRequests: Counter<"endpoint" | "reason">;
  readonly logger: Logger;
  readonly version: string;
}

/**
 * GET /metrics renders the collectors' families after the process's own metrics, in the
 * format the scraper negotiates. Collector routes live under /api/v1, each request read
 * through the current credentials and body limit (a reload can change both).
 */
export function createExporterApp(deps: ExporterAppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // Refusals are counted, by reason, in countRefusedRequests.
  const guard = requireAuth(deps.credentials, () => undefined);
  app.use(countRefusedRequests(deps.rejectedRequests, (path) => endpointOf(path, deps.runtime)));
  app.use(lifecycleRoutes(deps.lifecycle, guard));
  app.get("/metrics", (req, res, next) => {
    const openMetrics = wantsOpenMetrics(req.headers.accept);
    const registry = openMetrics ? deps.metrics.openMetrics : deps.metrics.text;
    registry
      .metrics()
      .then((own) =>
        writeExposition(
          req,
          res,
          registry.contentType,
          exposition(own, deps.exposition, openMetrics),
        ),
      )
      .catch((error: unknown) => {
        if (!res.headersSent) next(error);
        else deps.logger.error("rendering /metrics failed", { error });
      });
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
    res.locals[REACHED_COLLECTORS] = true;
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
  app.use(API, api);
  app.get(
    "/",
    landingPageHandler(() => ({
      name: "aiwatch exporter",
      description: `AI workload metrics for Prometheus (collectors: ${deps.runtime.types().join(", ") || "none"})`,
      version: deps.version,
      links: [
        { href: "metrics", text: "Metrics", description: "Prometheus text or OpenMetrics" },
        { href: "-/healthy", text: "Health" },
        { href: "-/ready", text: "Readiness" },
      ],
    })),
  );
  app.use((_req, _res, next) => next(COMMON_HTTP_ERRORS["not-found"]()));
  app.use(
    httpErrorHandler((error, req) =>
      deps.logger.error("unexpected error", { path: req.path, error }),
    ),
  );
  return app;
}

/** The process's own metrics, then the collectors' families; OpenMetrics ends in `# EOF`. */
function* exposition(
  own: string,
  registry: ExpositionRegistry,
  openMetrics: boolean,
): Generator<string, void, undefined> {
  if (!openMetrics) {
    yield own;
    yield* registry.chunks("text");
    return;
  }
  yield own.replace(/# EOF\n?$/, "");
  yield* registry.chunks("openmetrics");
  yield "# EOF\n";
}

/**
 * The `endpoint` label of a refused request: a path the exporter serves with auth (a
 * running collector's route, or /-/reload), or `other`, so that made-up paths cannot
 * grow the label's values.
 */
function endpointOf(path: string, runtime: ExporterRuntime): string {
  const normal = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  if (normal === GUARDED_LIFECYCLE) return normal;
  if (!normal.startsWith(`${API}/`)) return "other";
  const route = normal.slice(API.length);
  for (const collector of runtime.collectors())
    for (const layer of collector.router?.stack ?? [])
      if (layer.route?.path === route) return normal;
  return "other";
}
