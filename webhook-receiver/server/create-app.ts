import express from "express";
import type { NextFunction, Request, Response } from "express";
import { redact } from "../../core/log/redaction.js";
import type { Logger } from "../../core/log/logger.js";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { requireAuth } from "../../core/server/auth.js";
import { httpErrorHandler } from "../../core/server/http-error.js";
import { jsonBody } from "../../core/server/json-body.js";
import { landingPageHandler } from "../../core/server/landing-page.js";
import { lifecycleRoutes } from "../../core/server/lifecycle-routes.js";
import type { Lifecycle } from "../../core/server/lifecycle-routes.js";
import { metricsHandler } from "../../core/server/metrics-route.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import { parseWebhookPayload } from "../payload/parse-payload.js";
import type { OutboxStore } from "../store/outbox-store.js";
import { RECEIVER_HTTP_ERRORS } from "./receiver-errors.js";
import type { ReceiverMetrics, RejectEndpoint, RejectReason } from "./receiver-metrics.js";
import type { Notification } from "../payload/notification.js";

export interface ReceiverAppDeps {
  readonly config: () => ReceiverConfig;
  readonly registry: MetricsRegistry;
  readonly metrics: ReceiverMetrics;
  readonly lifecycle: Lifecycle;
  readonly outbox: OutboxStore;
  readonly logger: Logger;
  /** Persists a notification; resolves once committed, rejects if storage failed. */
  readonly accept: (notification: Notification) => Promise<{ id: number; duplicate: boolean }>;
  /** Called after dead letters were put back, to wake the delivery worker. */
  readonly onReplay: () => void;
  readonly now: () => number;
  readonly version: string;
  /** The incident pages (read-only, their own auth with the incident's key). */
  readonly incidentPages?: express.Router;
}

const ALERTS_PATH = "/api/v1/alerts";

/**
 * The receiver's HTTP surface: Alertmanager's webhook endpoint (authenticated, size
 * limited, persisted before the 200), the dead-letter admin endpoints, Prometheus's
 * lifecycle endpoints and /metrics.
 */
export function createReceiverApp(deps: ReceiverAppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // The alerts endpoint counts its refusals (auth included) in countRejections; the admin
  // and lifecycle endpoints count theirs here, so probing them shows in the same counter.
  const alertsGuard = requireAuth(
    () => deps.config().credentials,
    () => undefined,
  );
  const guardFor = (endpoint: RejectEndpoint) =>
    requireAuth(
      () => deps.config().credentials,
      () => deps.metrics.rejected.inc({ reason: "unauthorized", endpoint }),
    );
  const parsers = new Map<number, ReturnType<typeof jsonBody>>();
  const body = (req: Request, res: Response, next: NextFunction): void => {
    const limit = deps.config().maxBodyBytes;
    let parser = parsers.get(limit);
    if (!parser) parsers.set(limit, (parser = jsonBody(limit)));
    parser(req, res, next);
  };

  app.use(ALERTS_PATH, countRejections(deps.metrics));
  app.post(ALERTS_PATH, alertsGuard, body, (req, res, next) => {
    const parsed = parseWebhookPayload(req.body);
    if (!parsed.ok) {
      res.locals["rejectReason"] = parsed.reason;
      const error =
        parsed.reason === "unsupported_version"
          ? RECEIVER_HTTP_ERRORS["unsupported-version"]
          : RECEIVER_HTTP_ERRORS["invalid-payload"];
      const messages = parsed.diagnostics.map((d) => d.message);
      next(
        error(
          messages.join("; "),
          parsed.diagnostics.map((d) => ({ code: d.code, path: d.path, message: d.message })),
        ),
      );
      return;
    }
    const started = performance.now();
    deps.accept(parsed.notification).then(
      (result) => {
        deps.metrics.acceptDuration.observe((performance.now() - started) / 1000);
        deps.metrics.notifications.inc({ result: result.duplicate ? "duplicate" : "accepted" });
        res.json({ status: "success", data: { id: result.id, duplicate: result.duplicate } });
      },
      (error: unknown) => {
        deps.metrics.storageErrors.inc({ operation: "accept" });
        deps.logger.error("cannot persist notification; answering 503 so Alertmanager retries", {
          error,
        });
        next(RECEIVER_HTTP_ERRORS["storage-unavailable"]());
      },
    );
  });

  app.get("/api/v1/dead-letters", guardFor("dead_letters"), (req, res) => {
    const destination =
      typeof req.query["destination"] === "string" ? req.query["destination"] : undefined;
    // Platform errors can echo a webhook URL or token: redacted as in logs and the CLI.
    const secrets = deps.config().secretValues;
    const dead = deps.outbox
      .deadLetters(destination)
      .map((d) => ({ ...d, lastError: redact(d.lastError, secrets) }));
    res.json({ status: "success", data: dead });
  });
  app.post("/api/v1/dead-letters/replay", guardFor("replay"), body, (req, res, next) => {
    const input = (req.body ?? {}) as { ids?: unknown; destination?: unknown };
    const ids = input.ids;
    if (
      (ids !== undefined && (!Array.isArray(ids) || !ids.every((i) => Number.isInteger(i)))) ||
      (input.destination !== undefined && typeof input.destination !== "string")
    ) {
      next(
        RECEIVER_HTTP_ERRORS["invalid-replay-request"](
          'expected {"ids": [integers], "destination": "name"}, both optional',
        ),
      );
      return;
    }
    const count = deps.outbox.replay(
      {
        ...(ids !== undefined ? { ids: ids as number[] } : {}),
        ...(typeof input.destination === "string" ? { destination: input.destination } : {}),
      },
      deps.now(),
    );
    deps.metrics.replayed.inc(count);
    deps.onReplay();
    res.json({ status: "success", data: { replayed: count } });
  });

  if (deps.incidentPages) app.use(deps.incidentPages);
  app.use(lifecycleRoutes(deps.lifecycle, guardFor("reload")));
  app.get("/metrics", metricsHandler(deps.registry));
  app.get(
    "/",
    landingPageHandler({
      name: "aiwatch webhook-receiver",
      description: "Alertmanager webhooks in, explained messages out to chat, durably",
      version: deps.version,
      links: [
        { href: "metrics", text: "Metrics" },
        { href: "-/healthy", text: "Health" },
        { href: "-/ready", text: "Readiness" },
        {
          href: "api/v1/dead-letters",
          text: "Dead letters",
          description: "deliveries that could not be delivered (needs credentials)",
        },
      ],
    }),
  );
  app.use(
    httpErrorHandler((error, req) =>
      deps.logger.error("unexpected error", { path: req.path, error }),
    ),
  );
  return app;
}

/** Counts every refused request on the alerts endpoint by reason, whoever refused it. */
function countRejections(metrics: ReceiverMetrics) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.on("finish", () => {
      if (res.statusCode < 400) return;
      const reason = reasonFor(res.statusCode, res.locals["rejectReason"]);
      metrics.rejected.inc({ reason, endpoint: "alerts" });
      if (reason !== "storage_unavailable") metrics.notifications.inc({ result: "rejected" });
    });
    next();
  };
}

function reasonFor(status: number, explicit: unknown): RejectReason {
  if (explicit === "invalid_payload" || explicit === "unsupported_version") return explicit;
  switch (status) {
    case 401:
      return "unauthorized";
    case 413:
      return "body_too_large";
    case 415:
      return "unsupported_media_type";
    case 503:
      return "storage_unavailable";
    default:
      return "invalid_json";
  }
}
