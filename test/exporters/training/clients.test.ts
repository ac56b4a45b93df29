import { createServer } from "node:http";
import type { Server } from "node:http";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { GroundTruthClient } from "../../../exporters/inference/public.js";
import type { RunningExporter } from "../../../exporters/process/run-exporter.js";
import { TrainingClient } from "../../../exporters/training/public.js";
import type { TrainingClientError } from "../../../exporters/training/public.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { AUTH_CONFIG, TOKEN, sampleValue, scrape, startTestExporter } from "./exporter-harness.js";

const temp = makeTempDir("clients");
let exporter: RunningExporter | undefined;
let flaky: Server | undefined;
afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
  flaky?.closeAllConnections();
  await new Promise((resolve) => (flaky ? flaky.close(resolve) : resolve(undefined)));
  flaky = undefined;
});
afterAll(() => temp.remove());

const noSleep = () => Promise.resolve();
const RUN = 'run_id="llama-ft-42",job_name="llama-ft"';

describe("the TypeScript training client", () => {
  it("sends batches, non-finite values included, and marks the run finished", async () => {
    exporter = await startTestExporter(temp.path, `${AUTH_CONFIG}collectors:\n  training: {}\n`);
    const run = new TrainingClient({
      url: exporter.url,
      token: TOKEN,
      runId: "llama-ft-42",
      jobName: "llama-ft",
      batchSize: 2,
      flushIntervalMs: 0,
    });
    run.maxSteps(1000);
    run.log(10, { loss: 2.5, learning_rate: 1e-4 });
    run.log(20, { loss: NaN, grad_norm: Infinity });
    await run.finish();
    const text = await scrape(exporter.url);
    expect(text).toContain(`aiwatch_training_loss{${RUN},phase="train"} NaN`);
    expect(text).toContain(`aiwatch_training_grad_norm{${RUN}} +Inf`);
    expect(sampleValue(text, `aiwatch_training_max_steps{${RUN}}`)).toBe(1000);
    expect(sampleValue(text, `aiwatch_training_run_status{${RUN},status="finished"}`)).toBe(1);
  });

  it("sends each rank's series of one run, labelled rank, when given a rank", async () => {
    exporter = await startTestExporter(temp.path, `${AUTH_CONFIG}collectors:\n  training: {}\n`);
    for (const rank of [0, 1]) {
      const run = new TrainingClient({
        url: exporter.url,
        token: TOKEN,
        runId: "llama-ft-42",
        jobName: "llama-ft",
        rank,
        flushIntervalMs: 0,
      });
      run.maxSteps(1000);
      run.log(10 + rank, { loss: 2.5 + rank });
      await run.finish();
    }
    const text = await scrape(exporter.url);
    for (const rank of [0, 1]) {
      const labels = `${RUN},rank="${rank}"`;
      expect(sampleValue(text, `aiwatch_training_loss{${labels},phase="train"}`)).toBe(2.5 + rank);
      expect(sampleValue(text, `aiwatch_training_max_steps{${labels}}`)).toBe(1000);
      expect(sampleValue(text, `aiwatch_training_run_status{${labels},status="finished"}`)).toBe(1);
    }
  });

  it("reports records the exporter refuses, without throwing into training", async () => {
    exporter = await startTestExporter(temp.path, `${AUTH_CONFIG}collectors:\n  training: {}\n`);
    const errors: TrainingClientError[] = [];
    const run = new TrainingClient({
      url: exporter.url,
      token: TOKEN,
      runId: "r",
      jobName: "j",
      flushIntervalMs: 0,
      onError: (e) => errors.push(e),
    });
    run.log(-1, { loss: 1 });
    run.log(2, { loss: 1 });
    await run.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 400, droppedRecords: 1 });
    expect(JSON.stringify(errors[0]?.details)).toContain('"field":"step"');
  });

  it("retries a 503 and keeps records while the exporter is unreachable", async () => {
    let attempts = 0;
    const received: unknown[] = [];
    flaky = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        attempts++;
        if (attempts === 1) {
          res.writeHead(503).end();
          return;
        }
        received.push(...(JSON.parse(body) as unknown[]));
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"success"}');
      });
    });
    await new Promise<void>((resolve) => flaky?.listen(0, "127.0.0.1", resolve));
    const address = flaky.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const errors: TrainingClientError[] = [];
    const down = new TrainingClient({
      url: "http://127.0.0.1:9",
      token: "t",
      runId: "r",
      jobName: "j",
      flushIntervalMs: 0,
      maxRetries: 1,
      sleep: noSleep,
      onError: (e) => errors.push(e),
    });
    down.log(1, { loss: 1 });
    await down.flush();
    expect(errors[0]).toMatchObject({ status: undefined, droppedRecords: 0 });
    const up = new TrainingClient({
      url: `http://127.0.0.1:${port}`,
      token: "t",
      runId: "r",
      jobName: "j",
      flushIntervalMs: 0,
      sleep: noSleep,
    });
    up.log(1, { loss: 1 });
    await up.close();
    expect(attempts).toBe(2);
    expect(received).toHaveLength(1);
  });
});

describe("the ground-truth client", () => {
  it("records predictions and labels", async () => {
    exporter = await startTestExporter(temp.path, `${AUTH_CONFIG}collectors:\n  inference: {}\n`);
    const truth = new GroundTruthClient({ url: exporter.url, token: TOKEN });
    const predicted = await truth.recordPredictions([
      {
        id: "1",
        model: "churn",
        modelVersion: "v3",
        predicted: true,
        timestamp: new Date(Date.now() - 60_000),
      },
      { id: "2", model: "churn", modelVersion: "v3", predicted: false },
    ]);
    expect(predicted.ok).toBe(true);
    const labelled = await truth.recordLabels([
      { id: "1", actual: true },
      { id: "2", actual: true },
    ]);
    expect(labelled).toMatchObject({ ok: true, body: { data: { accepted: 2, unmatched: 0 } } });
    const text = await scrape(exporter.url);
    expect(
      sampleValue(
        text,
        'aiwatch_inference_predictions_correct_total{model="churn",model_version="v3"}',
      ),
    ).toBe(1);
  });
});
