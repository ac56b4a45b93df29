import { createServer, request } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { acceptsGzip } from "../../exporters/exposition/accept-encoding.js";
import { writeExposition } from "../../exporters/exposition/write-exposition.js";

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

/** Serves `chunks()` through writeExposition; resolves with the served URL. */
async function serve(
  chunks: () => Iterable<string>,
  sliceMs: number,
  onDone?: (error?: unknown) => void,
): Promise<string> {
  server = createServer((req, res) => {
    writeExposition(req, res, "text/plain; version=0.0.4", chunks(), { sliceMs }).then(
      () => onDone?.(),
      (error: unknown) => onDone?.(error),
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

function get(url: string, headers: Record<string, string> = {}, method = "GET") {
  return new Promise<{ res: IncomingMessage; body: Buffer }>((resolve, reject) => {
    const req = request(url, { headers, method }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => resolve({ res, body: Buffer.concat(parts) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("writeExposition", () => {
  it("lets other work run between chunks instead of holding the loop for a whole render", async () => {
    const turns: number[] = [];
    let rendered = 0;
    const url = await serve(function* () {
      for (let i = 0; i < 20; i++) {
        rendered++;
        // Another task gets the loop only if the writer yields between chunks.
        setImmediate(() => turns.push(rendered));
        yield `aiwatch_x{i="${i}"} ${i}\n`;
      }
    }, 0);
    const { body } = await get(url);
    expect(body.toString().split("\n")).toHaveLength(21);
    // Each queued task ran before the next chunk was rendered, not all after the last.
    expect(turns).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("gzips only when asked, and answers HEAD without rendering", async () => {
    let renders = 0;
    const url = await serve(function* () {
      renders++;
      yield "aiwatch_x 1\n";
      yield "aiwatch_y 2\n";
    }, 5);
    const gzipped = await get(url, { "accept-encoding": "deflate, gzip;q=0.5" });
    expect(gzipped.res.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzipped.body).toString()).toBe("aiwatch_x 1\naiwatch_y 2\n");
    const plain = await get(url, { "accept-encoding": "identity" });
    expect(plain.res.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe("aiwatch_x 1\naiwatch_y 2\n");
    const head = await get(url, {}, "HEAD");
    expect(head.res.headers["content-type"]).toBe("text/plain; version=0.0.4");
    expect(renders).toBe(2);
  });

  it("stops rendering when the scraper goes away", async () => {
    let rendered = 0;
    let finished!: (error?: unknown) => void;
    const done = new Promise<unknown>((resolve) => (finished = resolve));
    const url = await serve(
      function* () {
        for (;;) {
          rendered++;
          yield `${"aiwatch_x 1\n".repeat(1000)}`;
        }
      },
      0,
      finished,
    );
    await new Promise<void>((resolve) => {
      const req = request(url, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.end();
    });
    expect(await done).toBeUndefined();
    const atStop = rendered;
    await new Promise((resolve) => setImmediate(resolve));
    expect(rendered).toBe(atStop);
  });

  it("cuts the response short when rendering throws", async () => {
    let failure: unknown;
    const url = await serve(
      function* () {
        yield "aiwatch_x 1\n";
        throw new Error("broken family");
      },
      0,
      (error) => (failure = error),
    );
    await expect(get(url)).rejects.toThrow();
    expect(String(failure)).toContain("broken family");
  });
});

describe("acceptsGzip", () => {
  it("reads codings and qualities as RFC 9110 defines them", () => {
    expect(acceptsGzip("gzip")).toBe(true);
    expect(acceptsGzip("GZIP;q=0.3")).toBe(true);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("*")).toBe(true);
    expect(acceptsGzip("*, gzip;q=0")).toBe(false);
    expect(acceptsGzip("identity")).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip("br, x-gzip")).toBe(true);
  });
});
