import type { IncomingMessage, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import client from "prom-client";
import { formatDiagnostics } from "../../diagnostics/format.js";
import type { Logger } from "../../log/logger.js";
import type { MetricsRegistry } from "../../metrics/metrics-registry.js";
import type { LoadResult } from "../config-reloader.js";
import { BasicAuthCheck } from "./basic-auth-check.js";
import { fileStamp, loadWebConfig } from "./load-web-config.js";
import type { TlsServing, WebConfig } from "./load-web-config.js";
import { RateLimiter } from "./rate-limiter.js";

/** Why the web layer refused a request or a connection (a label value: few and fixed). */
export type WebRefusal =
  | "missing_credentials"
  | "invalid_credentials"
  | "rate_limited"
  | "config_error"
  | "client_certificate";

const WEB_USER = Symbol("aiwatch.webUser");

/** Whether the web layer admitted this request as one of `basic_auth_users`. */
export function webAuthenticatedUser(req: IncomingMessage): string | undefined {
  return (req as IncomingMessage & { [WEB_USER]?: string })[WEB_USER];
}

/**
 * What `--web.config.file` adds in front of a server, as Prometheus's exporter-toolkit
 * does: TLS, basic auth for every path (but a request with a capability of its own, see
 * `ownCapability`), extra response headers, a rate limit. The file is
 * re-read when it or a TLS file it names changes (checked per request and per
 * connection), so new certificates and users apply without a restart. A file that turns
 * invalid while running fails closed, as in the toolkit: requests get 500 and TLS
 * handshakes are refused until it is fixed; the error is logged once per change.
 */
export class WebLayer {
  private loaded: LoadResult<WebConfig>;
  private stamp: string;
  private limiter: RateLimiter | undefined;
  private readonly auth = new BasicAuthCheck();
  private readonly refused: client.Counter<"reason">;
  private readonly lastReloadOk: client.Gauge;
  private readonly tlsAtStart: boolean;
  /** The files to watch while the config is invalid: those of the last valid one. */
  private lastWatched: readonly string[];

  constructor(
    initial: WebConfig,
    metrics: MetricsRegistry,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /**
     * Whether a request carries a capability of its own that the application checks (the
     * receiver's incident links: a page's unguessable key, which the chat platforms that
     * fetch its chart cannot send basic auth with). Such a request skips basic auth only.
     */
    private readonly ownCapability: (req: IncomingMessage) => boolean | Promise<boolean> = () =>
      false,
  ) {
    this.loaded = { ok: true, config: initial };
    this.stamp = fileStamp(initial.watched);
    this.lastWatched = initial.watched;
    this.limiter = makeLimiter(initial, now);
    this.tlsAtStart = initial.tls !== undefined;
    this.refused = new client.Counter({
      name: "aiwatch_web_refused_requests_total",
      help: "Requests and TLS connections refused by the --web.config.file layer, by reason.",
      labelNames: ["reason"],
      registers: metrics.registers,
    });
    this.lastReloadOk = new client.Gauge({
      name: "aiwatch_web_config_last_reload_successful",
      help: "Whether the web config file, as last read, is valid (0: requests are refused until it is fixed).",
      registers: metrics.registers,
    });
    this.lastReloadOk.set(1);
  }

  get tls(): TlsServing | undefined {
    return this.loaded.ok ? this.loaded.config.tls : undefined;
  }

  /** The config as the file says now; re-read only when a watched file changed. */
  current(): LoadResult<WebConfig> {
    const watched = this.loaded.ok ? this.loaded.config.watched : this.lastWatched;
    const stamp = fileStamp(watched);
    if (stamp === this.stamp) return this.loaded;
    this.stamp = stamp;
    let next = loadWebConfig(watched[0] ?? "");
    if (next.ok && (next.config.tls !== undefined) !== this.tlsAtStart) {
      next = {
        ok: false,
        diagnostics: [
          {
            code: "invalid-value",
            severity: "error",
            message: `TLS cannot be turned ${this.tlsAtStart ? "off" : "on"} while running; restart the server`,
            file: next.config.file,
          },
        ],
      };
    }
    this.loaded = next;
    if (next.ok) {
      this.lastWatched = next.config.watched;
      this.limiter = makeLimiter(next.config, this.now);
      this.lastReloadOk.set(1);
      this.logger.info("web config reloaded", {
        file: next.config.file,
        tls: next.config.tls !== undefined,
        users: next.config.users.size,
      });
    } else {
      this.lastReloadOk.set(0);
      this.logger.error("web config is invalid; refusing requests until it is fixed", {
        errors: formatDiagnostics(next.diagnostics).trimEnd().split("\n"),
      });
    }
    return next;
  }

  /** The request side: headers, rate limit, basic auth; `next` runs the application. */
  handle(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const loaded = this.current();
    if (!loaded.ok) {
      this.refuse(res, "config_error", 500, "Internal Server Error");
      return;
    }
    const config = loaded.config;
    for (const [name, value] of Object.entries(config.headers)) res.setHeader(name, value);
    if (this.limiter && !this.limiter.allow()) {
      this.refuse(res, "rate_limited", 429, "Too Many Requests");
      return;
    }
    if (config.users.size === 0) {
      next();
      return;
    }
    // The capability may need a database read (the receiver's incidents on PostgreSQL);
    // one that cannot be checked is no capability, and basic auth applies.
    Promise.resolve()
      .then(() => this.ownCapability(req))
      .catch(() => false)
      .then((own) => {
        if (own) next();
        else this.basicAuth(req, res, config, next);
      })
      .catch(() => this.refuse(res, "config_error", 500, "Internal Server Error"));
  }

  private basicAuth(
    req: IncomingMessage,
    res: ServerResponse,
    config: WebConfig,
    next: () => void,
  ): void {
    this.auth.check(req.headers.authorization, config.users).then(
      (outcome) => {
        if (outcome.ok) {
          (req as IncomingMessage & { [WEB_USER]?: string })[WEB_USER] = outcome.user;
          next();
          return;
        }
        res.setHeader("WWW-Authenticate", "Basic");
        this.refuse(res, outcome.reason, 401, "Unauthorized");
      },
      () => this.refuse(res, "config_error", 500, "Internal Server Error"),
    );
  }

  /**
   * The connection side of TLS: before each handshake, the current certificate and client
   * policy (a changed file applies to the next connection); after it, the client
   * certificate checks Node's own options do not express.
   */
  attachTls(server: HttpsServer): void {
    const tunable = server as HttpsServer & { requestCert: boolean; rejectUnauthorized: boolean };
    let applied = this.tls;
    server.prependListener("connection", (socket: Socket) => {
      const loaded = this.current();
      const tls = loaded.ok ? loaded.config.tls : undefined;
      if (!tls) {
        this.refused.inc({ reason: "config_error" });
        socket.destroy();
        return;
      }
      if (tls !== applied) {
        server.setSecureContext(tls.context);
        applied = tls;
      }
      const policy = nodeClientPolicy(tls);
      tunable.requestCert = policy.requestCert;
      tunable.rejectUnauthorized = policy.rejectUnauthorized;
    });
    server.prependListener("secureConnection", (socket: TLSSocket) => {
      const tls = this.tls;
      if (tls && !clientCertificateAccepted(socket, tls)) {
        this.refused.inc({ reason: "client_certificate" });
        socket.destroy();
      }
    });
  }

  private refuse(res: ServerResponse, reason: WebRefusal, status: number, text: string): void {
    this.refused.inc({ reason });
    res.statusCode = status;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end(`${text}\n`);
  }
}

function makeLimiter(config: WebConfig, now: () => number): RateLimiter | undefined {
  return config.rateLimit
    ? new RateLimiter(config.rateLimit.intervalMs, config.rateLimit.burst, now)
    : undefined;
}

/** Node's server options for each of Go's client auth types. */
export function nodeClientPolicy(tls: TlsServing): {
  requestCert: boolean;
  rejectUnauthorized: boolean;
} {
  switch (tls.clientAuth) {
    case "NoClientCert":
      return { requestCert: tls.allowedSans !== undefined, rejectUnauthorized: false };
    case "RequireAndVerifyClientCert":
      return { requestCert: true, rejectUnauthorized: true };
    default:
      return { requestCert: true, rejectUnauthorized: false };
  }
}

/** The checks after the handshake: a certificate where one is required, a verified one where given, an allowed SAN. */
export function clientCertificateAccepted(socket: TLSSocket, tls: TlsServing): boolean {
  const certificate = socket.getPeerCertificate();
  const presented = certificate !== null && Object.keys(certificate).length > 0;
  if (tls.clientAuth === "RequireAnyClientCert" && !presented) return false;
  if (tls.clientAuth === "VerifyClientCertIfGiven" && presented && !socket.authorized) return false;
  if (tls.allowedSans !== undefined) {
    if (!presented) return false;
    const names = (certificate.subjectaltname ?? "")
      .split(/,\s*/)
      .map((entry) => entry.slice(entry.indexOf(":") + 1))
      .filter((name) => name !== "");
    return names.some((name) => tls.allowedSans?.includes(name));
  }
  return true;
}
