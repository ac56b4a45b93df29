import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log/logger.js";
import { startPrometheus } from "../../core/process/prometheus-process.js";
import { runProcess } from "../../core/run-process.js";
import { listen } from "../../core/server/listen.js";
import { loadWebConfig } from "../../core/server/web-config/load-web-config.js";
import { COLLECTORS } from "../../exporters/collectors.js";
import { startExporter } from "../../exporters/process/run-exporter.js";
import { requireBinaries } from "../support/binaries.js";
import { docBlocks } from "../support/doc-blocks.js";
import { makeTempDir } from "../support/temp-dir.js";
import { makeTestCertificates } from "../support/test-certificates.js";
import { waitFor } from "../support/wait-for.js";

/**
 * docs/serving.md, run: its web.yml is accepted and holds the hash of the password it
 * names, its htpasswd command makes hashes aiwatch accepts, a real Prometheus scrapes an
 * exporter over TLS with basic auth using its prometheus.yml, and its log and error lines
 * are what the servers print.
 */
const { available, paths } = requireBinaries("openssl", "htpasswd", "prometheus");
const temp = makeTempDir("serving-docs");
afterAll(() => temp.remove());
const blocks = docBlocks("serving.md");
const block = (predicate: (text: string) => boolean): string => {
  const found = blocks.find((b) => predicate(b.text));
  if (!found) throw new Error("docs/serving.md lost a block this test runs");
  return found.text;
};
const webYaml = block((t) => t.startsWith("# web.yml"));
const prometheusYaml = block((t) => t.startsWith("# prometheus.yml"));

beforeAll(async () => {
  if (available) await makeTestCertificates(paths.openssl, temp.path);
});

describe.skipIf(!available)("docs/serving.md", () => {
  it("has a web.yml aiwatch accepts, whose hash is the documented password's", async () => {
    writeFileSync(join(temp.path, "web.yml"), webYaml);
    const loaded = loadWebConfig(join(temp.path, "web.yml"));
    expect(loaded.ok && [loaded.config.tls?.clientAuth, [...loaded.config.users.keys()]]).toEqual([
      "NoClientCert",
      ["prometheus"],
    ]);
    const hash = loaded.ok ? (loaded.config.users.get("prometheus") ?? "") : "";
    expect(await bcrypt.compare("scrape-pw", hash)).toBe(true);
  });

  it("makes hashes with its htpasswd command that aiwatch accepts", async () => {
    const command =
      block((t) => t.startsWith("htpasswd"))
        .split("#")[0]
        ?.trim() ?? "";
    const made = await runProcess("sh", ["-c", command]);
    expect(made.stdout).toMatch(/^\$2y\$10\$[./A-Za-z0-9]{53}$/);
    expect(await bcrypt.compare("your password", made.stdout)).toBe(true);
  });

  it("is scraped by a real Prometheus over TLS with basic auth, as its prometheus.yml says", async () => {
    writeFileSync(join(temp.path, "web.yml"), webYaml);
    const loaded = loadWebConfig(join(temp.path, "web.yml"));
    if (!loaded.ok) throw new Error("web.yml refused");
    writeFileSync(join(temp.path, "exporter.yaml"), "collectors: {}\n");
    const exporter = await startExporter({
      configFile: join(temp.path, "exporter.yaml"),
      listenAddress: "127.0.0.1:0",
      collectors: COLLECTORS,
      secrets: { env: {} },
      version: "0.0.0-test",
      webConfig: loaded.config,
      writeLog: () => undefined,
    });
    if ("diagnostics" in exporter) throw new Error("exporter refused its config");
    const port = new URL(exporter.url).port;
    writeFileSync(join(temp.path, "scrape-password"), "scrape-pw\n");
    const prometheus = await startPrometheus({
      binary: paths.prometheus,
      dir: temp.path,
      config:
        prometheusYaml.replace("localhost:9401", `localhost:${port}`) +
        "global:\n  scrape_interval: 1s\n",
    });
    try {
      const up = await waitFor("Prometheus to scrape the exporter", async () => {
        const data = await prometheus.api<{
          activeTargets: { health: string; lastError: string }[];
        }>("targets");
        const target = data.activeTargets[0];
        return target?.health === "up" ? target : undefined;
      });
      expect(up.lastError).toBe("");
      const result = await prometheus.api<{ result: { value: [number, string] }[] }>(
        `query?query=${encodeURIComponent('up{job="aiwatch-exporter"}')}`,
      );
      expect(result.result[0]?.value[1]).toBe("1");
    } finally {
      await prometheus.stop();
      await exporter.stop();
    }
  });

  it("shows the log line the exporter prints", () => {
    const documented = block((t) => t.startsWith("ts=")).trim();
    let line = "";
    createLogger({
      component: "exporter",
      format: "logfmt",
      write: (text) => (line = text.trim()),
      now: () => new Date("2026-01-01T00:00:00.000Z"),
    }).info("exporter listening", { url: "http://127.0.0.1:9401", collectors: [] });
    expect(line).toBe(documented);
  });

  it("shows the error a port in use gives", async () => {
    const documented = block((t) => t.startsWith("aiwatch exporter: cannot listen")).trim();
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const error = await listen(() => undefined, "127.0.0.1", port).then(
        () => new Error("listened on a port in use"),
        (e: Error) => e,
      );
      expect(`aiwatch exporter: ${error.message}`).toBe(documented.replace("9401", String(port)));
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });
});
