import express from "express";
import type { Request, Response } from "express";
import { redact } from "../../core/log/redaction.js";
import { isRequestAuthorized } from "../../core/server/auth.js";
import type { Credentials } from "../../core/server/auth.js";
import { defineHttpErrors, sendHttpError } from "../../core/server/http-error.js";
import { CONTENT_SECURITY_POLICY } from "./html.js";
import { incidentNumber, openedByKey } from "./incident-capability.js";
import { INCIDENTS_PATH, mainChart } from "./incident-link.js";
import {
  MAX_PAGE_ACTIONS,
  MAX_PAGE_ATTEMPTS,
  MAX_PAGE_DELIVERIES,
  MAX_PAGE_NOTIFICATIONS,
} from "./incident-store.js";
import type { IncidentRow, IncidentStore } from "./incident-store.js";
import { buildTimeline } from "./incident-timeline.js";
import { renderIncidentList } from "./render-incident-list.js";
import { renderIncidentPage } from "./render-incident-page.js";
import type { EvidenceChart } from "./incident-evidence.js";

export const INCIDENT_HTTP_ERRORS = defineHttpErrors({
  unauthorized: { status: 401, message: "missing or wrong credentials or incident key" },
  "incident-not-found": { status: 404, message: "no such incident" },
  "no-chart": { status: 404, message: "this incident has no chart" },
});

export interface IncidentRoutesDeps {
  readonly store: IncidentStore;
  readonly credentials: () => Credentials;
  readonly secretValues: () => readonly string[];
  readonly now: () => number;
  /** Counts a refused request (no or wrong credentials and no valid key). */
  readonly onRejected: () => void;
  readonly renderPng: (chart: EvidenceChart) => Promise<Buffer>;
}

const LIST_SIZE = 200;
const NOISIEST_DAYS = 7;

/**
 * The incident pages, read-only: GET /incidents (the list, behind the receiver's auth) and
 * GET /incidents/<id> with its chart PNG (behind the auth, or opened by the incident's own
 * key from its link; incident-capability.ts). The auth is the one every endpoint uses: the
 * receiver's credentials or a `--web.config.file` user. Nothing a visitor sends selects a
 * query or an outbound address: the only inputs are the incident number and the key.
 */
export function incidentRoutes(deps: IncidentRoutesDeps): express.Router {
  const router = express.Router();
  const authorized = (req: Request): boolean => isRequestAuthorized(req, deps.credentials());
  const refuse = (res: Response): void => {
    deps.onRejected();
    res.setHeader("WWW-Authenticate", 'Basic realm="aiwatch", Bearer realm="aiwatch"');
    sendHttpError(res, INCIDENT_HTTP_ERRORS.unauthorized());
  };
  /** The incident when the request may see it; otherwise answers and returns undefined. */
  const admitted = async (req: Request, res: Response): Promise<IncidentRow | undefined> => {
    const byKey = await openedByKey(deps.store, req.params["id"], req.query["key"]);
    if (byKey) return byKey;
    if (!authorized(req)) {
      refuse(res);
      return undefined;
    }
    const id = incidentNumber(req.params["id"]);
    const incident = id !== undefined ? await deps.store.get(id) : undefined;
    if (!incident) sendHttpError(res, INCIDENT_HTTP_ERRORS["incident-not-found"]());
    return incident;
  };

  router.get(INCIDENTS_PATH, async (req, res) => {
    if (!authorized(req)) return refuse(res);
    const now = deps.now();
    const [incidents, noisiest] = await Promise.all([
      deps.store.list(LIST_SIZE),
      deps.store.noisiest(now - NOISIEST_DAYS * 86_400_000, now, 10),
    ]);
    const html = renderIncidentList({
      incidents,
      noisiest,
      noisiestDays: NOISIEST_DAYS,
      now,
      basePath: INCIDENTS_PATH,
    });
    sendHtml(res, html);
  });

  router.get(`${INCIDENTS_PATH}/:id`, async (req, res) => {
    const incident = await admitted(req, res);
    if (!incident) return;
    const secrets = deps.secretValues();
    const [enrichment, notifications, deliveries, attempts, actions, history] = await Promise.all([
      deps.store.enrichment(incident.id),
      deps.store.notifications(incident.id),
      deps.store.deliveries(incident.id),
      deps.store.attempts(incident.id),
      deps.store.actions(incident.id),
      deps.store.history(incident),
    ]);
    const html = renderIncidentPage({
      incident,
      notifications,
      enrichment,
      timeline: buildTimeline({
        incident,
        notifications,
        deliveries,
        attempts,
        actions,
        enrichment,
        redact: (t) => redact(t, secrets),
      }),
      timelineCut:
        notifications.length >= MAX_PAGE_NOTIFICATIONS ||
        deliveries.length >= MAX_PAGE_DELIVERIES ||
        attempts.length >= MAX_PAGE_ATTEMPTS ||
        actions.length >= MAX_PAGE_ACTIONS,
      history,
      now: deps.now(),
      basePath: INCIDENTS_PATH,
    });
    sendHtml(res, html);
  });

  router.get(`${INCIDENTS_PATH}/:id/chart.png`, async (req, res) => {
    const incident = await admitted(req, res);
    if (!incident) return;
    const chart = mainChart((await deps.store.enrichment(incident.id))?.evidence);
    if (!chart) return sendHttpError(res, INCIDENT_HTTP_ERRORS["no-chart"]());
    const png = await deps.renderPng(chart);
    privateHeaders(res);
    res.type("image/png").send(png);
  });
  return router;
}

function sendHtml(res: Response, html: string): void {
  privateHeaders(res);
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.type("text/html; charset=utf-8").send(html);
}

/** The page may carry its key in the URL: never cached, framed or sent on as a Referer. */
function privateHeaders(res: Response): void {
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
}
