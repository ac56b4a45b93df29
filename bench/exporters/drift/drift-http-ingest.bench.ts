import { writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import express from "express";
import { driftCollector } from "../../../exporters/drift/collector/drift-collector.js";
import { startExporter } from "../../../exporters/process/run-exporter.js";
import type { Benchmark } from "../../support/benchmark.js";
import { median } from "../../support/benchmark.js";
import { NaiveWindow } from "./naive-window.js";
import { FEATURES, syntheticProfile, syntheticRecords } from "./synthetic-data.js";

const BATCH = 1000;
const REQUESTS = 60;
const CLIENTS = 2;
const RUNS = 5;
const TOKEN = "bench-token";

/**
 * End-to-end ingest: batches of 1,000 records (8 numeric features) POSTed with auth to
 * /api/v1/data/records on the real exporter, beside the naive exporter: an express app
 * with the same JSON body limit that appends every value to an array window.
 */
export const driftHttpIngestBenchmark: Benchmark = {
  id: "drift-http-ingest",
  name: "drift HTTP ingest, end to end",
  part: "exporters",
  async run(context) {
    const profilePath = join(context.scratchDir, "profile.json");
    writeFileSync(profilePath, JSON.stringify(syntheticProfile(20_000)));
    const configFile = join(context.scratchDir, "exporter.yaml");
    writeFileSync(
      configFile,
      `auth:\n  bearer_tokens: [{ env: TOKEN }]\nlimits:\n  max_body_bytes: 4194304\ncollectors:\n  drift:\n    models:\n      - name: bench\n        reference: { profile: ${profilePath} }\n        window: { records: 100000 }\n`,
    );
    const exporter = await startExporter({
      configFile,
      listenAddress: "127.0.0.1:0",
      collectors: [driftCollector],
      secrets: { env: { TOKEN } },
      version: "bench",
      writeLog: () => undefined,
    });
    if ("diagnostics" in exporter) throw new Error("exporter config");
    const naive = await startNaiveServer();
    const bodies = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({ model: "bench", records: syntheticRecords(BATCH, 1000 + i * 7) }),
    );
    try {
      const ours: number[] = [];
      const baseline: number[] = [];
      for (let run = 0; run < RUNS + 1; run++) {
        const a = await ingestRate(`${exporter.url}/api/v1/data/records`, bodies);
        const b = await ingestRate(`${naive.url}/records`, bodies);
        if (run === 0) continue;
        ours.push(a);
        baseline.push(b);
      }
      context.log(
        `${CLIENTS} clients x ${REQUESTS} requests of ${BATCH} records (${FEATURES.length} values each, ${((bodies[0]?.length ?? 0) / 1024) | 0} KiB), keep-alive, ${RUNS} runs; client and server share the 2 cores with other work`,
      );
      const rate = median(ours);
      return [
        {
          what: "records/s accepted over HTTP (auth, JSON, checks, window)",
          value: rate,
          unit: "records/s",
          baselineName: "naive express + array window",
          baseline: median(baseline),
          note: `${((rate * FEATURES.length) / 1e6).toFixed(2)}M values/s`,
        },
      ];
    } finally {
      await exporter.stop();
      await new Promise((resolve) => naive.server.close(resolve));
    }
  },
};

async function ingestRate(url: string, bodies: readonly string[]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; i < REQUESTS; i++) {
        const response = await fetch(url, {
          method: "POST",
          body: bodies[(client + i) % bodies.length],
          headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        });
        if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
        await response.arrayBuffer();
      }
    }),
  );
  return (CLIENTS * REQUESTS * BATCH) / ((performance.now() - started) / 1000);
}

async function startNaiveServer(): Promise<{ server: Server; url: string }> {
  const windows = FEATURES.map(() => new NaiveWindow(100_000));
  const app = express();
  app.post("/records", express.json({ limit: 4194304 }), (req, res) => {
    const { records } = req.body as { records: Record<string, number>[] };
    for (const record of records) FEATURES.forEach((name, k) => windows[k]?.add(record[name] ?? 0));
    res.json({ status: "success" });
  });
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}
