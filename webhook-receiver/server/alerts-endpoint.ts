import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../core/log/logger.js";
import { isRequestAuthorized } from "../../core/server/auth.js";
import { COMMON_HTTP_ERRORS } from "../../core/server/http-error.js";
import type { HttpError } from "../../core/server/http-error.js";
import type { ReceiverConfig } from "../config/receiver-config.js";
import type { PayloadParser } from "../payload/payload-parser.js";
import type { BodyRefusal, PreparedBody } from "../payload/prepare-notification.js";
import { RECEIVER_HTTP_ERRORS } from "./receiver-errors.js";
import type { ReceiverMetrics, RejectReason } from "./receiver-metrics.js";

export const ALERTS_PATH = "/api/v1/alerts";

export interface AlertsEndpointDeps {
  readonly config: () => ReceiverConfig;
  readonly metrics: ReceiverMetrics;
  readonly logger: Logger;
  readonly parser: PayloadParser;
  /** Persists a prepared notification; resolves once committed, rejects if storage failed. */
  readonly accept: (
    prepared: PreparedBody & { ok: true },
  ) => Promise<{ id: number; duplicate: boolean }>;
}

/**
 * Alertmanager's webhook endpoint, on node:http directly: every notification passes here,
 * and Express's routing, body parser and response helpers cost more main-thread time than
 * the rest of accepting it. Authenticated, media type checked, the body read up to the
 * limit, then decoded, limited, validated and stored (payload-parser.ts) before the 200.
 * Answers and refusals are those of the other endpoints (Prometheus's {status, errorType,
 * error}), each refusal counted by reason.
 */
export function alertsEndpoint(
  deps: AlertsEndpointDeps,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== "POST" || !isAlertsPath(req.url)) return false;
    handle(deps, req, res);
    return true;
  };
}

function handle(deps: AlertsEndpointDeps, req: IncomingMessage, res: ServerResponse): void {
  const config = deps.config();
  const refuse = (reason: RejectReason, error: HttpError): void => {
    deps.metrics.rejected.inc({ reason, endpoint: "alerts" });
    if (reason !== "storage_unavailable") deps.metrics.notifications.inc({ result: "rejected" });
    send(res, error.status, errorBody(error));
  };
  if (!isRequestAuthorized(req, config.credentials)) {
    res.setHeader("WWW-Authenticate", 'Bearer realm="aiwatch", Basic realm="aiwatch"');
    discard(req, res);
    refuse("unauthorized", COMMON_HTTP_ERRORS.unauthorized());
    return;
  }
  const mediaProblem = checkMediaType(req);
  if (mediaProblem) {
    discard(req, res);
    refuse("unsupported_media_type", COMMON_HTTP_ERRORS["unsupported-media-type"](mediaProblem));
    return;
  }
  const limit = config.maxBodyBytes;
  const tooLarge = (): void => {
    discard(req, res);
    refuse("body_too_large", COMMON_HTTP_ERRORS["body-too-large"](`${limit} bytes`));
  };
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > limit) {
    tooLarge();
    return;
  }
  // A client that goes away mid-body gets no answer; nothing was stored.
  req.on("error", () => undefined);
  const chunks: Buffer[] = [];
  let length = 0;
  let over = false;
  req.on("data", (chunk: Buffer) => {
    if (over) return;
    length += chunk.length;
    if (length > limit) {
      over = true;
      chunks.length = 0;
      tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (over) return;
    // As read: the parser joins them where it works (payload-parser.ts).
    deps.parser.prepare(chunks, config.limits).then(
      (prepared) => {
        if (!prepared.ok) {
          const [reason, error] = refusalAnswer(prepared.refusal, deps.metrics);
          refuse(reason, error);
          return;
        }
        store(deps, prepared, res, refuse);
      },
      (error: unknown) => {
        deps.logger.error("cannot prepare a webhook body; answering 503 so Alertmanager retries", {
          error,
        });
        refuse("storage_unavailable", RECEIVER_HTTP_ERRORS["storage-unavailable"]());
      },
    );
  });
}

function store(
  deps: AlertsEndpointDeps,
  prepared: PreparedBody & { ok: true },
  res: ServerResponse,
  refuse: (reason: RejectReason, error: HttpError) => void,
): void {
  const started = performance.now();
  deps.accept(prepared).then(
    (result) => {
      deps.metrics.acceptDuration.observe((performance.now() - started) / 1000);
      deps.metrics.notifications.inc({ result: result.duplicate ? "duplicate" : "accepted" });
      send(
        res,
        200,
        `{"status":"success","data":{"id":${result.id},"duplicate":${result.duplicate}}}`,
      );
    },
    (error: unknown) => {
      deps.metrics.storageErrors.inc({ operation: "accept" });
      deps.logger.error("cannot persist notification; answering 503 so Alertmanager retries", {
        error,
      });
      refuse("storage_unavailable", RECEIVER_HTTP_ERRORS["storage-unavailable"]());
    },
  );
}

function refusalAnswer(refusal: BodyRefusal, metrics: ReceiverMetrics): [RejectReason, HttpError] {
  switch (refusal.kind) {
    case "invalid-json":
      return ["invalid_json", COMMON_HTTP_ERRORS["invalid-json"](refusal.message)];
    case "limit-exceeded": {
      const { violation } = refusal;
      metrics.limitRefusals.inc({ limit: violation.limit });
      return [
        "limit_exceeded",
        RECEIVER_HTTP_ERRORS["limit-exceeded"](violation.message, [
          { code: "limit-exceeded", limit: violation.limit, path: violation.path },
        ]),
      ];
    }
    case "invalid-payload":
    case "unsupported-version": {
      const make =
        refusal.kind === "unsupported-version"
          ? RECEIVER_HTTP_ERRORS["unsupported-version"]
          : RECEIVER_HTTP_ERRORS["invalid-payload"];
      return [
        refusal.kind === "unsupported-version" ? "unsupported_version" : "invalid_payload",
        make(
          refusal.diagnostics.map((d) => d.message).join("; "),
          refusal.diagnostics.map((d) => ({ code: d.code, path: d.path, message: d.message })),
        ),
      ];
    }
  }
}

/** `/api/v1/alerts`, with or without a trailing slash or a query string. */
function isAlertsPath(url: string | undefined): boolean {
  if (!url?.startsWith(ALERTS_PATH)) return false;
  const rest = url.slice(ALERTS_PATH.length);
  return rest === "" || rest === "/" || rest.startsWith("?") || rest.startsWith("/?");
}

/** JSON in UTF-8, as RFC 8259 has it; the charset parameter may only say so. */
function checkMediaType(req: IncomingMessage): string | undefined {
  const type = req.headers["content-type"];
  if (type !== undefined && !/^application\/(.+\+)?json\b/i.test(type)) return `got ${type}`;
  const charset =
    type === undefined ? undefined : /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset))
    return `unsupported charset "${charset.toUpperCase()}"`;
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding.toLowerCase() !== "identity")
    return `unsupported content encoding "${encoding}"`;
  return undefined;
}

/**
 * A refused body is not read: the answer closes the connection, so neither the unread
 * rest nor a client that keeps sending holds the server.
 */
function discard(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader("Connection", "close");
  res.once("finish", () => req.destroy());
}

function errorBody(error: HttpError): string {
  return JSON.stringify({
    status: "error",
    errorType: error.code,
    error: error.message,
    ...(error.details !== undefined ? { details: error.details } : {}),
  });
}

function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}
