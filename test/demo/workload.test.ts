import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTestExporter, TOKEN } from "../exporters/training/exporter-harness.js";
import { repoPath } from "../support/fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

const temp = makeTempDir("demo-workload");
afterAll(() => temp.remove());

/**
 * The compose stack's demo-workload service as it runs there (the built CLI), against an
 * exporter started from the compose stack's own exporter.yaml: the workload's records must
 * be what that config accepts.
 */
describe("aiwatch demo workload", () => {
  it(
    "feeds the compose exporter's collectors and serves the inference metrics",
    { timeout: 120_000 },
    async () => {
      const tokenFile = join(temp.path, "ingest-token");
      writeFileSync(tokenFile, `${TOKEN}\n`);
      const config = readFileSync(repoPath("deploy/compose/aiwatch/exporter.yaml"), "utf8")
        .replace("/run/secrets/ingest_token", tokenFile)
        // Count windows small enough to fill in a test: the rest of the config is the stack's.
        .replace(/first_records: \d+/, "first_records: 200")
        .replace(/records: 2000/, "records: 200");
      const exporter = await startTestExporter(temp.path, config);
      const child = spawn(
        process.execPath,
        [
          repoPath("bin/aiwatch.js"),
          "demo",
          "workload",
          "--exporter-url",
          exporter.url,
          "--ingest-token-file",
          tokenFile,
          "--inference.listen-address",
          "127.0.0.1:0",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let output = "";
      child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      try {
        const metrics = await waitFor(
          "every run's loss and a drift score",
          async () => {
            const text = await (await fetch(`${exporter.url}/metrics`)).text();
            const runs = ["r-data", "r-nan", "r-stall", "r-gpu"].every((run) =>
              new RegExp(`aiwatch_training_loss\\{[^}]*run_id="${run}"`).test(text),
            );
            return runs && /aiwatch_data_drift_score\{/.test(text) ? text : undefined;
          },
          { timeoutMs: 60_000, pollMs: 500 },
        );
        expect(metrics).toMatch(/aiwatch_data_rows_total\{[^}]*model="housing"[^}]*\} [1-9]/);
        expect(metrics).toMatch(
          /aiwatch_inference_predictions_pending\{[^}]*model="ranker"[^}]*\} [1-9]/,
        );
        expect(metrics).not.toMatch(/aiwatch_exporter_rejected_records_total\{[^}]*\} [1-9]/);
        const inference = /inference service (http:\/\/\S+)\/metrics/.exec(output)?.[1];
        expect(inference, output).toBeDefined();
        const served = await (await fetch(`${inference ?? ""}/metrics`)).text();
        expect(served).toMatch(
          /aiwatch_inference_request_duration_seconds_bucket\{[^}]*model="ranker"/,
        );
      } finally {
        child.kill("SIGINT");
        expect(await exited, output).toBe(0);
        await exporter.stop();
      }
    },
  );
});
