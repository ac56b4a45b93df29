import { createServer } from "node:http";
import type { Server } from "node:http";

/**
 * A scrape target whose exposition text the test sets: each scrape gets the next line
 * from `render(scrapeNumber)`. Stands in for an exporter in rule tests.
 */
export interface MetricsTarget {
  readonly address: string;
  setRender(render: (scrape: number) => string): void;
  scrapes(): number;
  close(): Promise<void>;
}

export async function startMetricsTarget(
  render: (scrape: number) => string,
): Promise<MetricsTarget> {
  let current = render;
  let count = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    const body = current(count++);
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return {
    address: `127.0.0.1:${address.port}`,
    setRender: (next) => (current = next),
    scrapes: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
