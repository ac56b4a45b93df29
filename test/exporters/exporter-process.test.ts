import { writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { runProcess } from "../../core/run-process.js";
import { startExporter } from "../../exporters/process/run-exporter.js";
import type { RunningExporter } from "../../exporters/process/run-exporter.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";
import type { CollectorDefinition } from "../../exporters/collector.js";
import { sampleCollector } from "./sample-collector.js";

const temp = makeTempDir("exporter");
const configFile = join(temp.path, "exporter.yaml");
let exporter: RunningExporter | undefined;
const logs: string[] = [];

afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});
afterAll(() => temp.remove());

/** A second collector that starts fine, listed first so a reload starts it before `sample`. */
const otherCollector: CollectorDefinition = {
  ...sampleCollector,
  type: "other",
  create: (context) => {
    const created = sampleCollector.create(context);
    return { start: () => created.start(), stop: () => created.stop() };
  },
};

async function start(
  config: string,
  collectors: readonly CollectorDefinition[] = [sampleCollector],
): Promise<RunningExporter> {
  writeFileSync(configFile, config);
  const result = await startExporter({
    configFile,
    listenAddress: "127.0.0.1:0",
    collectors,
    secrets: { env: { INGEST_TOKEN: "t0ken-value" } },
    version: "0.0.0-test",
    writeLog: (line) => logs.push(line),
  });
  if ("diagnostics" in result)
    throw new Error(
      result.diagnostics.ok ? "?" : formatDiagnostics(result.diagnostics.diagnostics),
    );
  exporter = result;
  return result;
}

const CONFIG = `auth:\n  bearer_tokens: [{ env: INGEST_TOKEN }]\ncollectors:\n  sample: {}\n`;
const post = (url: string, body: unknown, token = "t0ken-value") =>
  fetch(`${url}/api/v1/sample`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  });

describe("the exporter process", () => {
  it("serves collector families after its own metrics, in both formats", async () => {
    const { url } = await start(CONFIG);
    expect((await post(url, { name: "a", value: 2.5 })).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('aiwatch_sample_value{name="a"} 2.5');
    expect(text).toContain('aiwatch_exporter_collector_up{collector="sample"} 1');
    expect(text).toMatch(/aiwatch_build_info\{component="exporter",version="0.0.0-test"/);
    const om = await (
      await fetch(`${url}/metrics`, {
        headers: { accept: "application/openmetrics-text; version=1.0.0" },
      })
    ).text();
    expect(om.match(/# EOF/g)).toHaveLength(1);
    expect(om.endsWith("aiwatch_sample_events_total 1\n# EOF\n")).toBe(true);
  });

  it("refuses ingest without credentials and counts bad records", async () => {
    const { url } = await start(CONFIG);
    expect((await post(url, { name: "a", value: 1 }, "wrong")).status).toBe(401);
    expect((await post(url, { name: 1 })).status).toBe(400);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain(
      'aiwatch_exporter_rejected_requests_total{endpoint="/api/v1/sample",reason="invalid_credentials"} 1',
    );
    expect(text).toContain(
      'aiwatch_exporter_rejected_records_total{collector="sample",reason="invalid_record"} 1',
    );
  });

  it("counts the requests it refuses before a collector sees them, by endpoint and reason", async () => {
    const { url } = await start(
      CONFIG.replace("collectors:", "limits:\n  max_body_bytes: 1024\ncollectors:"),
    );
    const send = (path: string, body: string, headers: Record<string, string>) =>
      fetch(`${url}${path}`, { method: "POST", body, headers });
    const json = { "content-type": "application/json" };
    const auth = { ...json, authorization: "Bearer t0ken-value" };
    const refusals: [string, string, Record<string, string>, number][] = [
      ["/api/v1/sample", '{"name": ', auth, 400],
      ["/api/v1/sample", JSON.stringify({ name: "x".repeat(2000), value: 1 }), auth, 413],
      ["/api/v1/sample", "name=a", { ...auth, "content-type": "text/plain" }, 415],
      ["/api/v1/sample", "{}", json, 401],
      ["/api/v1/sample", "{}", { ...json, authorization: "Bearer wrong" }, 401],
      ["/api/v1/made-up-path", "{}", json, 401],
      ["/-/reload", "", {}, 401],
    ];
    for (const [path, body, headers, status] of refusals)
      expect((await send(path, body, headers)).status, `${path} ${status}`).toBe(status);
    // Refused by the collector itself: counted as a rejected record, not here.
    expect((await post(url, { name: 1 })).status).toBe(400);
    expect((await post(url, { name: "a", value: 1 })).status).toBe(200);
    // Counted when each response finishes: wait for the last of them.
    const text = await waitFor("the refused requests counted", async () => {
      const t = await (await fetch(`${url}/metrics`)).text();
      return t.includes('endpoint="/-/reload",reason="missing_credentials"} 1') ? t : undefined;
    });
    const counted = text
      .split("\n")
      .filter((line) => line.startsWith("aiwatch_exporter_rejected_requests_total{"));
    expect(counted.sort()).toEqual(
      [
        'aiwatch_exporter_rejected_requests_total{endpoint="/api/v1/sample",reason="invalid_json"} 1',
        'aiwatch_exporter_rejected_requests_total{endpoint="/api/v1/sample",reason="body_too_large"} 1',
        'aiwatch_exporter_rejected_requests_total{endpoint="/api/v1/sample",reason="unsupported_media_type"} 1',
        'aiwatch_exporter_rejected_requests_total{endpoint="/api/v1/sample",reason="missing_credentials"} 1',
        'aiwatch_exporter_rejected_requests_total{endpoint="/api/v1/sample",reason="invalid_credentials"} 1',
        'aiwatch_exporter_rejected_requests_total{endpoint="other",reason="missing_credentials"} 1',
        'aiwatch_exporter_rejected_requests_total{endpoint="/-/reload",reason="missing_credentials"} 1',
      ].sort(),
    );
    expect(text).toContain(
      'aiwatch_exporter_rejected_records_total{collector="sample",reason="invalid_record"} 1',
    );
  });

  it("keeps the running config when a reload is invalid, and applies a valid one", async () => {
    const running = await start(CONFIG);
    writeFileSync(configFile, "collectors:\n  sample: { prefx: x }\n");
    const refused = await fetch(`${running.url}/-/reload`, {
      method: "POST",
      headers: { authorization: "Bearer t0ken-value" },
    });
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain(
      `${configFile}:2:13: error unknown-key: unknown key "prefx" in collectors.sample (did you mean "prefix"?)`,
    );
    expect((await post(running.url, { name: "still", value: 1 })).status).toBe(200);

    writeFileSync(
      configFile,
      `auth:\n  bearer_tokens: [{ env: INGEST_TOKEN }]\ncollectors:\n  sample: { prefix: aiwatch_renamed }\n`,
    );
    expect((await running.reload()).ok).toBe(true);
    expect((await post(running.url, { name: "b", value: 3 })).status).toBe(200);
    const text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toContain('aiwatch_renamed_value{name="b"} 3');
    expect(text).not.toContain("aiwatch_sample_value");
    expect(text).toContain("aiwatch_config_last_reload_successful 1");
  });

  it("restores the running collectors when a reload's collector fails to start", async () => {
    const running = await start(CONFIG, [otherCollector, sampleCollector]);
    expect((await post(running.url, { name: "a", value: 1 })).status).toBe(200);
    writeFileSync(
      configFile,
      `auth:\n  bearer_tokens: [{ env: INGEST_TOKEN }]\ncollectors:\n` +
        `  other: { prefix: aiwatch_other }\n  sample: { prefix: aiwatch_renamed, fail_start: true }\n`,
    );
    const result = await running.reload();
    expect(result.ok).toBe(false);
    // The old sample collector runs again with its old section; "other" was taken back out.
    expect((await post(running.url, { name: "b", value: 2 })).status).toBe(200);
    const text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toContain('aiwatch_sample_value{name="b"} 2');
    expect(text).not.toContain("aiwatch_renamed_");
    expect(text).not.toContain("aiwatch_other_");
    expect(text).toContain('aiwatch_exporter_collector_up{collector="sample"}');
    expect(text).not.toContain('aiwatch_exporter_collector_up{collector="other"}');
    expect(text).toContain("aiwatch_config_last_reload_successful 0");
  });

  it("answers /-/reload only with credentials: with none configured, only SIGHUP reloads", async () => {
    const running = await start("collectors: {}\n");
    const refused = await fetch(`${running.url}/-/reload`, { method: "POST" });
    expect(refused.status).toBe(401);
    // What SIGHUP calls (see exporter-sighup.test.ts for the signal itself).
    expect((await running.reload()).ok).toBe(true);
  });

  it("refuses to start an ingest collector without credentials, naming where", async () => {
    writeFileSync(configFile, "collectors:\n  sample: {}\n");
    const result = await startExporter({
      configFile,
      listenAddress: "127.0.0.1:0",
      collectors: [sampleCollector],
      secrets: { env: {} },
      version: "0",
      writeLog: () => undefined,
    });
    expect(
      "diagnostics" in result &&
        !result.diagnostics.ok &&
        formatDiagnostics(result.diagnostics.diagnostics),
    ).toBe(
      `${configFile}:2:11: error missing-credentials: collector sample accepts data over HTTP: configure auth.bearer_tokens or auth.basic_auth\n`,
    );
  });

  it("never logs a secret", async () => {
    await start(CONFIG);
    expect(logs.join("")).not.toContain("t0ken-value");
  });

  it("gzips /metrics when the scraper accepts it, with no ETag and the same text", async () => {
    const { url } = await start(CONFIG);
    await post(url, { name: "a", value: 1 });
    const scrape = (encoding: string | undefined) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(
          `${url}/metrics`,
          { headers: encoding ? { "accept-encoding": encoding } : {} },
          (res) => {
            const parts: Buffer[] = [];
            res.on("data", (part: Buffer) => parts.push(part));
            res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
          },
        );
        req.on("error", reject);
        req.end();
      });
    const plain = await scrape(undefined);
    const gzipped = await scrape("gzip");
    const refused = await scrape("gzip;q=0, identity");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.headers.vary).toBe("Accept-Encoding");
    expect(plain.headers.etag).toBeUndefined();
    const withoutOwnMetrics = (text: string) => text.slice(text.indexOf("# HELP aiwatch_sample_"));
    expect(withoutOwnMetrics(gunzipSync(gzipped.body).toString())).toBe(
      withoutOwnMetrics(plain.body.toString()),
    );
    expect(plain.body.toString()).toContain('aiwatch_sample_value{name="a"} 1\n');
  });

  it("caps the series of all collectors together, counts what it drops and logs it once", async () => {
    const { url } = await start(`${CONFIG}limits:\n  max_series: 2\n  max_series_per_family: 10\n`);
    logs.length = 0;
    // The first sample makes two series: its value and aiwatch_sample_events_total.
    for (const name of ["a", "b", "c", "d"]) await post(url, { name, value: 1 });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('aiwatch_sample_value{name="a"} 1');
    expect(text).not.toContain('aiwatch_sample_value{name="b"}');
    expect(text).toContain(
      'aiwatch_exporter_series_dropped_total{family="aiwatch_sample_value",budget="total"} 3',
    );
    const warnings = logs.filter((line) => line.includes("limits.max_series "));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? "{}")).toMatchObject({ level: "warn", limit: 2 });
  });
});

const { available, paths } = requireBinaries("promtool");
describe.skipIf(!available)("exporter output under promtool check metrics", () => {
  it("is lint-clean", async () => {
    const { url } = await start(CONFIG);
    await post(url, { name: "a", value: 1 });
    const body = await (await fetch(`${url}/metrics`)).text();
    const file = join(temp.path, "metrics.txt");
    writeFileSync(file, body);
    const result = await runProcess("sh", ["-c", `${paths.promtool} check metrics < ${file}`]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });
});
