import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpClient,
  MAX_RESPONSE_BYTES,
} from "../../webhook-receiver/destinations/http-client.js";
import type { HttpRequest } from "../../webhook-receiver/destinations/http-client.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";
import type { TempDir } from "../support/temp-dir.js";
import { makeTestCertificates } from "../support/test-certificates.js";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  readonly remotePort: number;
}

/** A local endpoint that records what it was sent and answers with `handle`. */
async function endpoint(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        remotePort: req.socket.remotePort ?? 0,
      });
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}`, seen, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

function post(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return {
    url,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: '{"text":"GPU 3 hot: 91 °C"}',
    timeoutMs: 5000,
    ...extra,
  };
}

describe("the destinations' HTTP client", () => {
  it("posts the body and headers, and answers with status, headers (as fetch shows them) and body", async () => {
    const { url, seen } = await endpoint((_req, res) => {
      res.setHeader("X-Request-Id", "r-1");
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.writeHead(429, { "retry-after": "7" });
      res.end('{"error":"slow down","retry_after":7}');
    });
    const response = await createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" })(
      post(`${url}/hooks/T1?x=1`, {
        headers: { "content-type": "application/json", "x-sig": "s" },
      }),
    );
    expect(response.status).toBe(429);
    expect(response.body).toBe('{"error":"slow down","retry_after":7}');
    expect(response.headers["x-request-id"]).toBe("r-1");
    expect(response.headers["retry-after"]).toBe("7");
    expect(response.headers["set-cookie"]).toBe("a=1, b=2");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.url).toBe("/hooks/T1?x=1");
    expect(seen[0]?.body).toBe('{"text":"GPU 3 hot: 91 °C"}');
    expect(seen[0]?.headers["x-sig"]).toBe("s");
    expect(seen[0]?.headers["user-agent"]).toBe("aiwatch-webhook-receiver/9.9.9");
    expect(seen[0]?.headers["content-length"]).toBe(
      String(Buffer.byteLength('{"text":"GPU 3 hot: 91 °C"}')),
    );
  });

  it("sends a URL's userinfo as Basic authentication, not in the request line; a configured Authorization (or User-Agent) wins", async () => {
    const { url, seen } = await endpoint((_req, res) => res.end("ok"));
    const withUser = url.replace("http://", "http://svc%40ml:p%3Ass@");
    const client = createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" });
    await client(post(`${withUser}/in`));
    await client(
      post(`${withUser}/in`, {
        headers: { authorization: "Bearer configured", "User-Agent": "gateway-client/2" },
      }),
    );
    expect(seen[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("svc@ml:p:ss").toString("base64")}`,
    );
    expect(seen[0]?.url).toBe("/in");
    expect(seen[1]?.headers.authorization).toBe("Bearer configured");
    // The destination's own headers win here too.
    expect(seen[1]?.headers["user-agent"]).toBe("gateway-client/2");
  });

  it("keeps the connection for the next request", async () => {
    const { url, seen } = await endpoint((_req, res) => res.end("ok"));
    const client = createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" });
    await client(post(url));
    await client(post(url));
    expect(seen).toHaveLength(2);
    expect(seen[1]?.remotePort).toBe(seen[0]?.remotePort);
  });

  it("does not follow a redirect: the answer is the redirect", async () => {
    const { url, seen } = await endpoint((_req, res) => {
      res.writeHead(302, { location: "http://127.0.0.1:9/elsewhere" });
      res.end();
    });
    const response = await createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" })(
      post(url),
    );
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("http://127.0.0.1:9/elsewhere");
    expect(seen).toHaveLength(1);
  });

  it("gives up with a TimeoutError on an endpoint that never answers, and on one that stops mid-answer", async () => {
    const silent = await endpoint(() => undefined);
    const halfway = await endpoint((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
    });
    const client = createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" });
    for (const url of [silent.url, halfway.url]) {
      const started = performance.now();
      const error = await client(post(url, { timeoutMs: 300 })).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.name).toBe("TimeoutError");
      expect(error?.message).toBe("no answer within 300 ms");
      expect(performance.now() - started).toBeLessThan(3000);
    }
  });

  it("fails with the error's code, and no URL in the message, when nothing listens", async () => {
    const { url, server } = await endpoint(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    const error = await createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" })(
      post(`${url}/hooks/SECRET-PATH-TOKEN`),
    ).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe("ECONNREFUSED");
    expect(error?.message).not.toContain("SECRET-PATH-TOKEN");
  });

  it("keeps at most MAX_RESPONSE_BYTES of an answer", async () => {
    const { url } = await endpoint((_req, res) => {
      res.writeHead(500);
      res.end("e".repeat(MAX_RESPONSE_BYTES + 100_000));
    });
    const response = await createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" })(
      post(url),
    );
    expect(response.status).toBe(500);
    expect(response.body.length).toBe(MAX_RESPONSE_BYTES);
  });

  it("refuses a URL it cannot parse, without the URL in the error", async () => {
    await expect(
      createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" })(
        post("http://[not-a-host/SECRET-PATH-TOKEN"),
      ),
    ).rejects.toMatchObject({ code: "ERR_INVALID_URL", message: "not a valid URL" });
  });

  it("refuses a URL that is neither http nor https", async () => {
    await expect(
      createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" })(
        post("ftp://127.0.0.1/hook"),
      ),
    ).rejects.toMatchObject({
      code: "ERR_INVALID_PROTOCOL",
    });
  });
});

describe("the destinations' HTTP client over TLS", () => {
  const { available, paths } = requireBinaries("openssl");
  let temp: TempDir;
  let server: Server | undefined;
  let url = "";
  beforeAll(async () => {
    temp = makeTempDir("http-client-tls");
    if (!available) return;
    const certs = await makeTestCertificates(paths.openssl, temp.path);
    server = createTlsServer(
      { cert: readFileSync(certs.strangerCert), key: readFileSync(certs.strangerKey) },
      (_req, res) => res.end("ok"),
    );
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(listening.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    if (server) await new Promise((resolve) => server?.close(resolve));
    temp.remove();
  });

  it.runIf(available)(
    "verifies the server's certificate: an untrusted one is refused",
    async () => {
      const error = await createHttpClient({ userAgent: "aiwatch-webhook-receiver/9.9.9" })(
        post(url),
      ).then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(error?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME_INVALID/);
    },
  );
});
