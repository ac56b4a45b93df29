import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { isAuthorized, requireAuth } from "../../core/server/auth.js";
import { httpErrorHandler } from "../../core/server/http-error.js";
import { jsonBody } from "../../core/server/json-body.js";
import { lifecycleRoutes } from "../../core/server/lifecycle-routes.js";
import { listen, parseListenAddress } from "../../core/server/listen.js";
import type { ListeningServer } from "../../core/server/listen.js";
import { metricsHandler } from "../../core/server/metrics-route.js";
import { ConfigReloader } from "../../core/server/config-reloader.js";
import { createMetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { registerBuildInfo } from "../../core/metrics/build-info.js";
import { memoryLogger } from "../../core/log/logger.js";
import { redact } from "../../core/log/redaction.js";
import { resolveSecret } from "../../core/config/secret.js";

const credentials = {
  bearerTokens: ["s3cret-token"],
  basicAuth: [{ username: "am", password: "pw" }],
};
let running: ListeningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("authentication", () => {
  it("accepts configured bearer tokens and basic credentials, nothing else", () => {
    expect(isAuthorized("Bearer s3cret-token", credentials)).toBe(true);
    expect(isAuthorized(`Basic ${Buffer.from("am:pw").toString("base64")}`, credentials)).toBe(
      true,
    );
    expect(isAuthorized("Bearer s3cret-tokeN", credentials)).toBe(false);
    expect(isAuthorized("Bearer ", credentials)).toBe(false);
    expect(isAuthorized(`Basic ${Buffer.from("am:nope").toString("base64")}`, credentials)).toBe(
      false,
    );
    expect(isAuthorized("Token s3cret-token", credentials)).toBe(false);
    expect(isAuthorized(undefined, credentials)).toBe(false);
  });
});

describe("a server built from the shared pieces", () => {
  async function start(reloadOk: boolean) {
    const metrics = createMetricsRegistry();
    registerBuildInfo(metrics, "test", "1.2.3");
    const rejected: string[] = [];
    const unexpected: unknown[] = [];
    const app = express();
    const guard = requireAuth(
      () => credentials,
      (reason) => rejected.push(reason),
    );
    app.use(
      lifecycleRoutes(
        {
          name: "Test server",
          notReadyReason: () => undefined,
          reload: () =>
            Promise.resolve(
              reloadOk
                ? { ok: true, diagnostics: [] }
                : {
                    ok: false,
                    diagnostics: [
                      {
                        code: "bad",
                        severity: "error" as const,
                        message: "broken",
                        file: "c.yaml",
                        position: { line: 3, col: 5 },
                      },
                    ],
                  },
            ),
        },
        guard,
      ),
    );
    app.get("/metrics", metricsHandler(metrics));
    app.post("/api/v1/things", guard, jsonBody(64), (req, res) => {
      res.json({ got: req.body as unknown });
    });
    app.get("/boom", () => {
      throw new Error("kaboom");
    });
    app.use(httpErrorHandler((error) => unexpected.push(error)));
    running = await listen(app, "127.0.0.1", 0);
    return { url: running.url, rejected, unexpected };
  }

  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        authorization: "Bearer s3cret-token",
        ...headers,
      },
    });

  it("serves health, readiness and metrics in both formats", async () => {
    const { url } = await start(true);
    expect(await (await fetch(`${url}/-/healthy`)).text()).toBe("Test server is Healthy.\n");
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    const text = await fetch(`${url}/metrics`);
    expect(text.headers.get("content-type")).toMatch(/^text\/plain; version=0.0.4/);
    expect(await text.text()).toMatch(
      /aiwatch_build_info\{component="test",version="1.2.3",nodejs_version="v\d+/,
    );
    const om = await fetch(`${url}/metrics`, {
      headers: { accept: "application/openmetrics-text; version=1.0.0" },
    });
    expect(om.headers.get("content-type")).toMatch(/^application\/openmetrics-text/);
    expect(await om.text()).toMatch(/# EOF\n$/);
  });

  it("refuses data without credentials and counts why", async () => {
    const { url, rejected } = await start(true);
    expect((await post(`${url}/api/v1/things`, "{}", { authorization: "" })).status).toBe(401);
    expect(
      (await post(`${url}/api/v1/things`, "{}", { authorization: "Bearer wrong" })).status,
    ).toBe(401);
    expect(rejected).toEqual(["missing", "invalid"]);
  });

  it("maps body problems to 413, 400 and 415 with a Prometheus-style error body", async () => {
    const { url } = await start(true);
    const large = await post(`${url}/api/v1/things`, JSON.stringify({ x: "y".repeat(100) }));
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ status: "error", errorType: "body-too-large" });
    const broken = await post(`${url}/api/v1/things`, "{nope");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ errorType: "invalid-json" });
    expect(
      (
        await post(`${url}/api/v1/things`, "a=b", {
          "content-type": "application/x-www-form-urlencoded",
        })
      ).status,
    ).toBe(415);
    expect(await (await post(`${url}/api/v1/things`, '{"a":1}')).json()).toEqual({ got: { a: 1 } });
  });

  it("turns an unexpected exception into a 500 without crashing", async () => {
    const { url, unexpected } = await start(true);
    const response = await fetch(`${url}/boom`);
    expect(response.status).toBe(500);
    expect(unexpected).toHaveLength(1);
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
  });

  it("reloads only with credentials and reports a refused config with its position", async () => {
    const { url } = await start(false);
    expect((await fetch(`${url}/-/reload`, { method: "POST" })).status).toBe(401);
    const refused = await fetch(`${url}/-/reload`, {
      method: "POST",
      headers: { authorization: "Bearer s3cret-token" },
    });
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain("c.yaml:3:5: error bad: broken");
  });
});

describe("ConfigReloader", () => {
  it("keeps the previous config when the new one is invalid or cannot be applied", async () => {
    const metrics = createMetricsRegistry();
    const logger = memoryLogger();
    let next: { ok: true; config: { n: number } } | { ok: false; diagnostics: never[] } = {
      ok: false,
      diagnostics: [],
    };
    let applyFails = false;
    const reloader = new ConfigReloader(
      { n: 1 },
      () => Promise.resolve(next),
      () => (applyFails ? Promise.reject(new Error("port busy")) : Promise.resolve()),
      metrics,
      logger,
    );
    expect((await reloader.reload()).ok).toBe(false);
    expect(reloader.current()).toEqual({ n: 1 });
    next = { ok: true, config: { n: 2 } };
    applyFails = true;
    expect((await reloader.reload()).ok).toBe(false);
    expect(reloader.current()).toEqual({ n: 1 });
    applyFails = false;
    expect((await reloader.reload()).ok).toBe(true);
    expect(reloader.current()).toEqual({ n: 2 });
    expect(Object.isFrozen(reloader.current())).toBe(true);
    const text = await metrics.text.metrics();
    expect(text).toContain('aiwatch_config_reloads_total{result="failure"} 2');
    expect(text).toContain("aiwatch_config_last_reload_successful 1");
  });
});

describe("secrets and logs", () => {
  it("resolves secrets from env and files, and explains failures", () => {
    expect(resolveSecret({ env: "TOKEN" }, { env: { TOKEN: "abc" } })).toEqual({
      ok: true,
      value: "abc",
    });
    expect(resolveSecret({ env: "TOKEN" }, { env: {} })).toEqual({
      ok: false,
      message: "environment variable TOKEN is not set or empty",
    });
    expect(resolveSecret({ file: "/s" }, { env: {}, readFile: () => "xyz\n" })).toEqual({
      ok: true,
      value: "xyz",
    });
  });

  it("never writes a secret value to the log, in any encoding", () => {
    const secret = "tok/en+value";
    const line = redact(
      JSON.stringify({ url: `https://x/hook?key=${encodeURIComponent(secret)}`, raw: secret }),
      [secret],
    );
    expect(line).not.toContain(secret);
    expect(line).not.toContain(encodeURIComponent(secret));
    expect(line).toContain("<redacted>");
  });

  it("parses --web.listen-address forms", () => {
    expect(parseListenAddress(":9464")).toEqual({ host: "0.0.0.0", port: 9464 });
    expect(parseListenAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListenAddress("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseListenAddress("9464")).toBeUndefined();
  });
});
