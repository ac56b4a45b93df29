import { writeFileSync } from "node:fs";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import express from "express";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../../core/log/logger.js";
import { createMetricsRegistry } from "../../core/metrics/metrics-registry.js";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { runProcess } from "../../core/run-process.js";
import { requireAuth } from "../../core/server/auth.js";
import { listen } from "../../core/server/listen.js";
import type { ListeningServer } from "../../core/server/listen.js";
import { loadWebConfig } from "../../core/server/web-config/load-web-config.js";
import { WebLayer } from "../../core/server/web-config/web-layer.js";
import { requireBinaries } from "../support/binaries.js";
import { httpsGet } from "../support/https-get.js";
import { makeTempDir } from "../support/temp-dir.js";
import { makeTestCertificates } from "../support/test-certificates.js";
import type { TestCertificates } from "../support/test-certificates.js";

const { available, paths } = requireBinaries("openssl", "htpasswd");
const temp = makeTempDir("web-config");
const webFile = join(temp.path, "web.yml");
let certs: TestCertificates;
let aliceHash: string;
let running: ListeningServer | undefined;

beforeAll(async () => {
  if (!available) return;
  certs = await makeTestCertificates(paths.openssl, temp.path);
  // A hash made as the toolkit's docs say ($2y$, cost 10), by Apache's htpasswd.
  const made = await runProcess(paths.htpasswd, ["-nbBC", "10", "", "wonderland"]);
  aliceHash = made.stdout.replace(/[:\n]/g, "");
});
afterEach(async () => {
  await running?.close();
  running = undefined;
});
afterAll(() => temp.remove());

/** An app with an open route and one that needs the app's own token, behind the web layer. */
async function serve(
  yaml: string,
): Promise<{ url: string; metrics: MetricsRegistry; logs: string[] }> {
  writeFileSync(webFile, yaml);
  const loaded = loadWebConfig(webFile);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  const metrics = createMetricsRegistry();
  const logger = memoryLogger();
  const web = new WebLayer(loaded.config, metrics, logger);
  const app = express();
  app.get("/open", (_req, res) => res.send("open"));
  app.get(
    "/ingest",
    requireAuth(
      () => ({ bearerTokens: ["app-token"], basicAuth: [] }),
      () => undefined,
    ),
    (_req, res) => res.send("ingest"),
  );
  running = await listen(app, "127.0.0.1", 0, web);
  return { url: running.url.replace("127.0.0.1", "localhost"), metrics, logs: logger.lines };
}

const refused = async (metrics: MetricsRegistry, reason: string): Promise<number> => {
  const text = await metrics.text.metrics();
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`aiwatch_web_refused_requests_total{reason="${reason}"}`));
  return Number(line?.split(" ")[1] ?? 0);
};

const tlsYaml = () => `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n`;

describe.skipIf(!available)("--web.config.file, in exporter-toolkit's format", () => {
  it("reports every problem of a bad file at its line and column", () => {
    writeFileSync(
      webFile,
      [
        "tls_server_config:",
        "  cert_file: missing.crt",
        "  key_file: server.key",
        "  client_ca_file: ca.crt",
        "  min_version: TLS99",
        "basic_auth_users:",
        "  alice: wonderland",
        "http_server_config:",
        "  headers:",
        "    X-Frame-Options: allow",
        "    Server: aiwatch",
        "rate_limits: {}",
        "",
      ].join("\n"),
    );
    const loaded = loadWebConfig(webFile);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.diagnostics.map((d) => [d.code, d.position?.line])).toEqual(
      expect.arrayContaining([
        ["unknown-key", 12],
        ["invalid-value", 5],
      ]),
    );
    writeFileSync(
      webFile,
      [
        "tls_server_config:",
        "  cert_file: missing.crt",
        "  key_file: server.key",
        "  client_ca_file: ca.crt",
        "basic_auth_users:",
        "  alice: wonderland",
        "http_server_config:",
        "  headers:",
        "    X-Frame-Options: allow",
        "    Server: aiwatch",
        "",
      ].join("\n"),
    );
    const refined = loadWebConfig(webFile);
    expect(refined.ok).toBe(false);
    if (refined.ok) return;
    const found = refined.diagnostics.map((d) => [d.code, d.position?.line, d.message]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["io-error", 2, expect.stringContaining("cannot read cert_file")],
        [
          "invalid-value",
          4,
          expect.stringContaining("client CA is configured without a client auth policy"),
        ],
        [
          "invalid-value",
          6,
          expect.stringContaining('the password of "alice" must be a bcrypt hash'),
        ],
        ["invalid-value", 9, expect.stringContaining("expected one of deny, sameorigin")],
        [
          "invalid-value",
          10,
          expect.stringContaining('HTTP header "Server" can not be configured'),
        ],
      ]),
    );
  });

  it("refuses a key that does not belong to the certificate", () => {
    writeFileSync(webFile, `tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n`);
    const loaded = loadWebConfig(webFile);
    expect(!loaded.ok && loaded.diagnostics[0]?.message).toMatch(
      /cannot use the certificate and key/,
    );
  });

  it("serves HTTPS with basic auth on every path, and admits its users where the app wants a token", async () => {
    const { url, metrics } = await serve(
      `${tlsYaml()}basic_auth_users:\n  alice: ${aliceHash}\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n`,
    );
    expect(url).toMatch(/^https:/);
    const anonymous = await httpsGet(`${url}/open`, { ca: certs.caCert });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toBe("Basic");
    const wrong = await httpsGet(`${url}/open`, { ca: certs.caCert, auth: "alice:rabbit" });
    expect(wrong.status).toBe(401);
    const stranger = await httpsGet(`${url}/open`, {
      ca: certs.caCert,
      auth: "mallory:wonderland",
    });
    expect(stranger.status).toBe(401);
    const alice = await httpsGet(`${url}/open`, { ca: certs.caCert, auth: "alice:wonderland" });
    expect([alice.status, alice.body]).toEqual([200, "open"]);
    expect(alice.headers["x-content-type-options"]).toBe("nosniff");
    const ingest = await httpsGet(`${url}/ingest`, { ca: certs.caCert, auth: "alice:wonderland" });
    expect([ingest.status, ingest.body]).toEqual([200, "ingest"]);
    expect(await refused(metrics, "missing_credentials")).toBe(1);
    expect(await refused(metrics, "invalid_credentials")).toBe(2);
  });

  it("applies a changed file at the next request and connection: users, certificate, and invalid files fail closed", async () => {
    const { url, metrics, logs } = await serve(
      `${tlsYaml()}basic_auth_users:\n  alice: ${aliceHash}\n`,
    );
    const first = await httpsGet(`${url}/open`, { ca: certs.caCert, auth: "alice:wonderland" });
    expect(first.status).toBe(200);

    const bobHash = bcrypt.hashSync("builder", 4);
    writeFileSync(webFile, `${tlsYaml()}basic_auth_users:\n  bob: ${bobHash}\n`);
    expect(
      (await httpsGet(`${url}/open`, { ca: certs.caCert, auth: "alice:wonderland" })).status,
    ).toBe(401);
    expect((await httpsGet(`${url}/open`, { ca: certs.caCert, auth: "bob:builder" })).status).toBe(
      200,
    );

    writeFileSync(webFile, `${tlsYaml()}basic_auth_users:\n  bob: not-a-hash\n`);
    await expect(
      httpsGet(`${url}/open`, { ca: certs.caCert, auth: "bob:builder" }),
    ).rejects.toThrow();
    expect(await metrics.text.metrics()).toContain("aiwatch_web_config_last_reload_successful 0");
    expect(logs.join("")).toContain("web config is invalid");

    writeFileSync(webFile, `${tlsYaml()}basic_auth_users:\n  bob: ${bobHash}\n`);
    expect((await httpsGet(`${url}/open`, { ca: certs.caCert, auth: "bob:builder" })).status).toBe(
      200,
    );
    expect(await metrics.text.metrics()).toContain("aiwatch_web_config_last_reload_successful 1");
    expect(await refused(metrics, "config_error")).toBeGreaterThanOrEqual(1);
  });

  it("presents a rotated certificate on the next connection", async () => {
    const { url } = await serve(tlsYaml());
    const before = await httpsGet(`${url}/open`, { ca: certs.caCert });
    // Re-sign the server key with a new certificate (new serial, same names).
    const resigned = await runProcess(
      paths.openssl,
      [
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server-new.crt",
        "-days",
        "2",
        "-extfile",
        "server.ext",
      ],
      { cwd: temp.path },
    );
    expect(resigned.exitCode).toBe(0);
    writeFileSync(
      webFile,
      `tls_server_config:\n  cert_file: server-new.crt\n  key_file: server.key\n`,
    );
    const after = await httpsGet(`${url}/open`, { ca: certs.caCert });
    expect(after.status).toBe(200);
    expect(after.serverCertificate).not.toBe(before.serverCertificate);
  });

  it("verifies client certificates against client_ca_file and client_allowed_sans", async () => {
    const { url, metrics } = await serve(
      `${tlsYaml()}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n`,
    );
    await expect(httpsGet(`${url}/open`, { ca: certs.caCert })).rejects.toThrow();
    await expect(
      httpsGet(`${url}/open`, {
        ca: certs.caCert,
        cert: certs.strangerCert,
        key: certs.strangerKey,
      }),
    ).rejects.toThrow();
    const trusted = await httpsGet(`${url}/open`, {
      ca: certs.caCert,
      cert: certs.clientCert,
      key: certs.clientKey,
    });
    expect(trusted.status).toBe(200);

    writeFileSync(
      webFile,
      `${tlsYaml()}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [other.example]\n`,
    );
    await expect(
      httpsGet(`${url}/open`, { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey }),
    ).rejects.toThrow();
    expect(await refused(metrics, "client_certificate")).toBe(1);
    writeFileSync(
      webFile,
      `${tlsYaml()}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [trainer.example]\n`,
    );
    const allowed = await httpsGet(`${url}/open`, {
      ca: certs.caCert,
      cert: certs.clientCert,
      key: certs.clientKey,
    });
    expect(allowed.status).toBe(200);
  });

  it("keeps to min_version", async () => {
    const { url } = await serve(`${tlsYaml()}  min_version: TLS13\n`);
    await expect(
      httpsGet(`${url}/open`, { ca: certs.caCert, maxVersion: "TLSv1.2" }),
    ).rejects.toThrow();
    expect((await httpsGet(`${url}/open`, { ca: certs.caCert })).status).toBe(200);
  });

  it("rate-limits as Go's token bucket: burst, then 429", async () => {
    const { url, metrics } = await serve(`${tlsYaml()}rate_limit:\n  interval: 1h\n  burst: 2\n`);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await httpsGet(`${url}/open`, { ca: certs.caCert })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(await refused(metrics, "rate_limited")).toBe(1);
  });
});
