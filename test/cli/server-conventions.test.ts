import { createServer } from "node:net";
import type { Server } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../cli/main.js";
import { startProcess } from "../../core/process/managed-process.js";
import type { ManagedProcess } from "../../core/process/managed-process.js";
import { runProcess } from "../../core/run-process.js";
import { requireBinaries } from "../support/binaries.js";
import { repoPath } from "../support/fixtures.js";
import { freePort } from "../support/free-port.js";
import { httpsGet, httpsPostJson } from "../support/https-get.js";
import { makeTempDir } from "../support/temp-dir.js";
import { makeTestCertificates } from "../support/test-certificates.js";
import type { TestCertificates } from "../support/test-certificates.js";
import { waitFor } from "../support/wait-for.js";
import { webhookPayload } from "../webhook-receiver/sample-notifications.js";

/**
 * The conventions a Prometheus user expects of any exporter, checked on the exporter and
 * the receiver as users run them (`node bin/aiwatch.js`, from the build in dist/):
 * --version, --web.config.file with real TLS, a landing page, process metrics, the log
 * flags, and a one-line error for a port in use.
 */
const { available, paths } = requireBinaries("openssl", "htpasswd", "promtool");
const temp = makeTempDir("server-conventions");
const exporterConfig = join(temp.path, "exporter.yaml");
const receiverConfig = join(temp.path, "receiver.yaml");
const webConfig = join(temp.path, "web.yml");
let certs: TestCertificates;
let running: ManagedProcess | undefined;
const env = { ...process.env, RECEIVER_TOKEN: "receiver-token-0123456789" };

beforeAll(async () => {
  writeFileSync(exporterConfig, "collectors: {}\n");
  writeFileSync(
    receiverConfig,
    `web:\n  auth:\n    bearer_tokens: [{ env: RECEIVER_TOKEN }]\nstorage:\n  path: ${join(temp.path, "receiver.db")}\n  synchronous: normal\ndestinations:\n  - { name: out, type: console }\ndefault_route:\n  destinations: [out]\n`,
  );
  if (!available) return;
  certs = await makeTestCertificates(paths.openssl, temp.path);
  const hash = (await runProcess(paths.htpasswd, ["-nbBC", "10", "", "scrape-pw"])).stdout.replace(
    /[:\n]/g,
    "",
  );
  writeFileSync(
    webConfig,
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${hash}\n`,
  );
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(() => temp.remove());

const SERVERS = [
  { name: "exporter", args: ["exporter", "--config.file", exporterConfig] },
  { name: "receiver", args: ["receiver", "--config.file", receiverConfig] },
] as const;

async function capture(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: temp.path,
    env,
  });
  return { code, stdout, stderr };
}

describe("every subcommand", () => {
  it.each([
    ["exporter"],
    ["receiver"],
    ["receiver", "report"],
    ["rules", "compile", "spec.yaml"],
    ["rules", "test"],
    ["dashboards", "build"],
    ["drift", "profile", "data.csv", "--profile-version", "v1"],
    ["demo"],
    ["demo", "workload"],
  ])("prints the version for %s ... --version", async (...words) => {
    const result = await capture([...words, "--version"]);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toMatch(/^aiwatch \d+\.\d+\.\d+\n$/);
  });

  it("treats --version after -- as an operand", async () => {
    const result = await capture(["rules", "compile", "--", "--version"]);
    expect(result.stdout).not.toMatch(/^aiwatch \d/);
  });

  it.each(SERVERS)(
    "$name refuses a bad --log.level or --log.format as usage errors",
    async ({ args }) => {
      expect((await capture([...args, "--log.level", "loud"])).code).toBe(2);
      const format = await capture([...args, "--log.format", "xml"]);
      expect(format.code).toBe(2);
      expect(format.stderr).toContain("--log.format: expected one of logfmt, json");
    },
  );

  it.each(SERVERS)(
    "$name reports an invalid --web.config.file at its position and does not start",
    async ({ args }) => {
      const bad = join(temp.path, "bad-web.yml");
      writeFileSync(bad, "basic_auth_users:\n  alice: plain-text\n");
      const result = await capture([
        ...args,
        "--web.config.file",
        bad,
        "--web.listen-address",
        "127.0.0.1:0",
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^${bad}:2:10: error invalid-value: the password of "alice" must be a bcrypt hash`,
        ),
      );
    },
  );
});

describe.skipIf(!available)("the exporter and the receiver as servers", () => {
  it.each(SERVERS)(
    "$name: a port in use is one line on stderr and exit 1",
    async ({ name, args }) => {
      const blocker: Server = createServer();
      await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
      const address = blocker.address();
      const port = typeof address === "object" && address ? address.port : 0;
      try {
        const result = await runProcess(
          process.execPath,
          [repoPath("bin", "aiwatch.js"), ...args, "--web.listen-address", `127.0.0.1:${port}`],
          { env },
        );
        expect(result.exitCode).toBe(1);
        const lines = result.stderr
          .trimEnd()
          .split("\n")
          .filter((line) => !/^ts=|^\{/.test(line));
        expect(lines).toEqual([
          expect.stringMatching(
            new RegExp(
              `^aiwatch ${name}: (cannot start: )?cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`,
            ),
          ),
        ]);
        expect(result.stderr).not.toMatch(/^\s+at /m);
      } finally {
        await new Promise((done) => blocker.close(done));
      }
    },
  );

  it.each(SERVERS)(
    "$name: HTTPS and basic auth from --web.config.file, a landing page, process metrics, JSON logs",
    async ({ name, args }) => {
      const port = await freePort();
      const proc = startProcess(
        process.execPath,
        [
          repoPath("bin", "aiwatch.js"),
          ...args,
          "--web.listen-address",
          `127.0.0.1:${port}`,
          "--web.config.file",
          webConfig,
          "--log.format=json",
          "--log.level=debug",
        ],
        { env },
      );
      running = proc;
      const url = `https://localhost:${port}`;
      const auth = "prometheus:scrape-pw";
      await waitFor(`the ${name} to serve HTTPS`, async () => {
        if (proc.child.exitCode !== null) throw new Error(`${name} exited: ${proc.output()}`);
        return (
          await httpsGet(`${url}/-/healthy`, { ca: certs.caCert, auth }).catch(() => undefined)
        )?.status === 200
          ? true
          : undefined;
      });
      expect((await httpsGet(`${url}/metrics`, { ca: certs.caCert })).status).toBe(401);

      const landing = await httpsGet(`${url}/`, { ca: certs.caCert, auth });
      expect(landing.status).toBe(200);
      expect(landing.headers["content-type"]).toMatch(/^text\/html/);
      expect(landing.body).toMatch(/<title>aiwatch (exporter|webhook-receiver)<\/title>/);
      expect(landing.body).toMatch(/Version: \d+\.\d+\.\d+/);
      for (const href of ["metrics", "-/healthy", "-/ready"])
        expect(landing.body).toContain(`<a href="${href}">`);
      expect((await httpsGet(`${url}/no-such-page`, { ca: certs.caCert, auth })).status).toBe(404);

      const metrics = await httpsGet(`${url}/metrics`, { ca: certs.caCert, auth });
      for (const family of [
        "process_cpu_user_seconds_total",
        "process_resident_memory_bytes",
        "process_start_time_seconds",
        "process_open_fds",
        "nodejs_heap_size_used_bytes",
        "nodejs_eventloop_lag_seconds",
        "nodejs_version_info",
      ])
        expect(metrics.body).toMatch(new RegExp(`^${family}(\\{[^}]*\\})? `, "m"));
      const file = join(temp.path, `${name}-metrics.txt`);
      writeFileSync(file, metrics.body);
      const lint = await runProcess("sh", ["-c", `${paths.promtool} check metrics < ${file}`]);
      expect(lint.stdout + lint.stderr).toBe("");

      const logs = proc
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"));
      expect(logs.length).toBeGreaterThan(0);
      for (const line of logs) {
        const record = JSON.parse(line) as Record<string, unknown>;
        expect([typeof record["ts"], typeof record["level"], typeof record["msg"]]).toEqual([
          "string",
          "string",
          "string",
        ]);
      }
    },
  );

  it("receiver: a --web.config.file user opens the incident pages, and an incident link's key opens its own page without basic auth", async () => {
    const config = join(temp.path, "receiver-incidents.yaml");
    writeFileSync(
      config,
      `web:\n  external_url: https://aiwatch.example.com\n  auth:\n    bearer_tokens: [{ env: RECEIVER_TOKEN }]\nstorage:\n  path: ${join(temp.path, "incidents.db")}\n  synchronous: normal\ndestinations:\n  - { name: out, type: console }\ndefault_route:\n  destinations: [out]\n`,
    );
    const port = await freePort();
    const proc = startProcess(
      process.execPath,
      [
        repoPath("bin", "aiwatch.js"),
        "receiver",
        "--config.file",
        config,
        "--web.listen-address",
        `127.0.0.1:${port}`,
        "--web.config.file",
        webConfig,
      ],
      { env },
    );
    running = proc;
    const url = `https://localhost:${port}`;
    const auth = "prometheus:scrape-pw";
    const get = (path: string, withAuth: boolean) =>
      httpsGet(`${url}${path}`, { ca: certs.caCert, ...(withAuth ? { auth } : {}) });
    await waitFor("the receiver to serve HTTPS", async () => {
      if (proc.child.exitCode !== null) throw new Error(`receiver exited: ${proc.output()}`);
      return (await get("/-/healthy", true).catch(() => undefined))?.status === 200
        ? true
        : undefined;
    });
    const posted = await httpsPostJson(
      `${url}/api/v1/alerts`,
      webhookPayload({ alerts: [{ name: "GpuHot", labels: { gpu: "0" } }] }),
      { ca: certs.caCert, auth },
    );
    expect(posted.status).toBe(200);
    const [, id = "", key = ""] = await waitFor(
      "the message with its incident link",
      () =>
        /Incident page: https:\/\/aiwatch\.example\.com\/incidents\/(\d+)\?key=([\w-]+)/.exec(
          proc.output(),
        ) ?? undefined,
    );
    // The web config's user is the receiver's auth for the pages, as for every endpoint.
    const list = await get("/incidents", true);
    expect([list.status, list.body.includes(`href="/incidents/${id}"`)]).toEqual([200, true]);
    expect((await get(`/incidents/${id}`, true)).status).toBe(200);
    // The key is a capability of its own: platforms fetch the chart with the link alone.
    const page = await get(`/incidents/${id}?key=${key}`, false);
    expect([page.status, page.body.includes("GpuHot")]).toEqual([200, true]);
    expect((await get(`/incidents/${id}/chart.png?key=${key}`, false)).status).toBe(404);
    // Nothing else passes without the user: no key, a wrong or repeated key, other paths.
    for (const path of [
      `/incidents/${id}`,
      `/incidents/${id}?key=${key.slice(1)}x`,
      `/incidents/${id}?key=${key}&key=${key}`,
      `/incidents?key=${key}`,
      `/metrics?key=${key}`,
      `/incidents/${id}/../../metrics?key=${key}`,
    ]) {
      const refused = await get(path, false);
      expect([path, refused.status, refused.headers["www-authenticate"]]).toEqual([
        path,
        401,
        "Basic",
      ]);
    }
  });

  it("logs in logfmt by default", async () => {
    const port = await freePort();
    const proc = startProcess(
      process.execPath,
      [
        repoPath("bin", "aiwatch.js"),
        "receiver",
        "--config.file",
        receiverConfig,
        "--web.listen-address",
        `127.0.0.1:${port}`,
      ],
      { env },
    );
    running = proc;
    const line = await waitFor("the receiver's first log line", () => {
      if (proc.child.exitCode !== null) throw new Error(`receiver exited: ${proc.output()}`);
      return proc
        .output()
        .split("\n")
        .find((l) => l.includes("listening"));
    });
    expect(line).toMatch(
      /^ts=\S+ level=info component=webhook-receiver msg="webhook receiver listening" url=http:\/\/127\.0\.0\.1:\d+ storage=\S+ replica=\S+ delivery=thread$/,
    );
  });
});
