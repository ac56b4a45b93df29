import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { repoPath } from "../support/fixtures.js";
import { startProcess } from "../support/managed-process.js";
import type { ManagedProcess } from "../support/managed-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The exporter as users run it: `node bin/aiwatch.js exporter` from the build in dist/
 * (npm test builds first), reloaded with SIGHUP, the one way to reload when no
 * credentials are configured.
 */
const temp = makeTempDir("exporter-sighup");
const configFile = join(temp.path, "exporter.yaml");
const TOKEN = "sighup-t0ken";
let exporter: ManagedProcess | undefined;
afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});
afterAll(() => temp.remove());

const config = (limit: number) =>
  `auth:\n  bearer_tokens: [{ env: INGEST_TOKEN }]\ncollectors:\n  training:\n    max_records_per_request: ${limit}\n`;

describe("the exporter on SIGHUP", () => {
  it("refuses an invalid config, keeps the running one, and applies a valid one", async () => {
    writeFileSync(configFile, config(5));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    exporter = startProcess(
      process.execPath,
      [
        repoPath("bin", "aiwatch.js"),
        "exporter",
        "--config.file",
        configFile,
        "--web.listen-address",
        `127.0.0.1:${port}`,
        "--log.format=json",
      ],
      { env: { ...process.env, INGEST_TOKEN: TOKEN } },
    );
    const running = exporter;
    await waitFor("the exporter to be ready", async () => {
      if (running.child.exitCode !== null) throw new Error(`exporter exited: ${running.output()}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined;
    });
    const metrics = async () => (await fetch(`${url}/metrics`)).text();
    const post = (records: number) =>
      fetch(`${url}/api/v1/training/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(
          Array.from({ length: records }, (_, i) => ({
            run_id: "r",
            job_name: "j",
            step: i,
            metrics: { loss: 1 },
          })),
        ),
      });

    writeFileSync(
      configFile,
      config(5).replace("max_records_per_request", "max_record_per_request"),
    );
    running.child.kill("SIGHUP");
    const failed = await waitFor("a failed reload", async () => {
      const text = await metrics();
      return text.includes('aiwatch_config_reloads_total{result="failure"} 1') ? text : undefined;
    });
    expect(failed).toContain("aiwatch_config_last_reload_successful 0");
    const logged = running
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg?: string; errors?: string[] })
      .find((entry) => entry.msg?.startsWith("configuration reload failed"));
    expect(logged?.errors).toEqual([
      `${configFile}:5:5: error unknown-key: unknown key "max_record_per_request" in collectors.training (did you mean "max_records_per_request"?)`,
    ]);
    // The old config still runs: its limit of 5 records per request holds.
    expect((await post(5)).status).toBe(200);
    expect((await post(6)).status).toBe(413);

    writeFileSync(configFile, config(10));
    running.child.kill("SIGHUP");
    const succeeded = await waitFor("a successful reload", async () => {
      const text = await metrics();
      return text.includes('aiwatch_config_reloads_total{result="success"} 1') ? text : undefined;
    });
    expect(succeeded).toContain("aiwatch_config_last_reload_successful 1");
    expect((await post(6)).status).toBe(200);
    expect(running.child.exitCode).toBeNull();
  });
});
