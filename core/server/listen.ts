import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { WebLayer } from "./web-config/web-layer.js";
import { nodeClientPolicy } from "./web-config/web-layer.js";

export interface ListeningServer {
  readonly server: Server;
  /** `http://host:port` (https with TLS), with the port actually bound (useful with port 0). */
  readonly url: string;
  close(): Promise<void>;
}

/** `--web.listen-address` values: `:9464`, `0.0.0.0:9464`, `127.0.0.1:0`, `[::1]:9464`. */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}

/**
 * A server that could not listen, with a message a person can act on (the port is
 * taken, needs privileges, or the address is not this machine's). Entry points print
 * it as one line and exit non-zero, never as a stack trace.
 */
export class ListenError extends Error {
  constructor(
    readonly address: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const LISTEN_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE:
    "address already in use (another process listens there; pick another port with --web.listen-address)",
  EACCES: "permission denied (ports below 1024 need privileges; pick a higher port)",
  EADDRNOTAVAIL: "address not available on this machine",
};

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves `app` on host:port, over HTTPS when the web layer's config has TLS; the web
 * layer (basic auth, headers, rate limit) sees every request before the app does.
 */
export function listen(
  app: RequestListener,
  host: string,
  port: number,
  web?: WebLayer,
): Promise<ListeningServer> {
  const handler: RequestListener = web
    ? (req, res) => web.handle(req, res, () => app(req, res))
    : app;
  const tls = web?.tls;
  let server: Server;
  if (tls) {
    const https = createHttpsServer({ ...tls.context, ...nodeClientPolicy(tls) }, handler);
    web?.attachTls(https);
    server = https;
  } else server = createServer(handler);
  const shownAddress = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const hint = (error.code ? LISTEN_HINTS[error.code] : undefined) ?? error.message;
      reject(
        new ListenError(shownAddress, error.code, `cannot listen on ${shownAddress}: ${hint}`),
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
      resolve({
        server,
        url: `${tls ? "https" : "http"}://${shownHost}:${bound}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
