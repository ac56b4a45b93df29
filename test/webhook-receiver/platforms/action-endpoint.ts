import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";

export interface ActionCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ActionEndpoint {
  readonly url: string;
  readonly calls: ActionCall[];
  close(): Promise<void>;
}

/**
 * An operations API an action calls (pause a job, cordon a node): records every request
 * and answers 202 (after `delayMs`, for a slow one), or 401 without the expected bearer
 * token.
 */
export async function startActionEndpoint(
  token: string,
  options: { delayMs?: number } = {},
): Promise<ActionEndpoint> {
  const calls: ActionCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401).end();
        return;
      }
      calls.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const answer = (): void => {
        res.writeHead(202, { "content-type": "application/json" }).end('{"accepted":true}');
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
