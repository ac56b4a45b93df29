import { createServer } from "node:http";
import type { RequestListener, Server } from "node:http";

export interface ListeningServer {
  readonly server: Server;
  /** `http://host:port`, with the port actually bound (useful with port 0). */
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

/** Listens with `handler` (an Express app, or a handler that passes to one). */
export function listen(
  handler: RequestListener,
  host: string,
  port: number,
): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler).listen(port, host);
    server.once("error", reject);
    server.once("listening", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
      resolve({
        server,
        url: `http://${shownHost}:${bound}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
