import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import client from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProcess } from "../../../core/run-process.js";
import { driftCollector } from "../../../exporters/drift/collector/drift-collector.js";
import { gpuCollector } from "../../../exporters/gpu/gpu-collector.js";
import { createInferenceMetrics } from "../../../exporters/inference/public.js";
import { inferenceCollector } from "../../../exporters/inference/inference-collector.js";
import type { RunningExporter } from "../../../exporters/process/run-exporter.js";
import { trainingCollector } from "../../../exporters/training/training-collector.js";
import { requireBinaries } from "../../support/binaries.js";
import { requireFixtures } from "../../support/fixtures.js";
import { everythingGpuSection } from "../gpu/support/everything.js";
import { startMetricsTarget } from "../../support/metrics-target.js";
import type { MetricsTarget } from "../../support/metrics-target.js";
import { startPrometheus } from "../../support/prometheus-process.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { waitFor } from "../../support/wait-for.js";
import { AUTH_CONFIG, postJson, scrape, startTestExporter } from "./exporter-harness.js";

/**
 * Every collector active with data flowing. Training: ingest and all six tailer kinds.
 * Inference: the ground-truth join, a vLLM and a Triton server. GPU: stand-in nvidia-smi
 * and rocm-smi replaying real captures (MIG, per-process memory), XIDs from a kernel log,
 * dcgm-compatible names too. Drift: a model whose live window has drifted. The output
 * must pass `promtool check metrics` in the text format, also right after an OpenMetrics
 * scrape, and be scraped by a real Prometheus (which asks for OpenMetrics and parses it
 * strictly). promtool 2.42's `check metrics` reads only the text format (it stops at
 * OpenMetrics' `unknown` type), so the OpenMetrics output is checked by that scrape.
 */
const { available: binaries, paths } = requireBinaries("promtool", "prometheus");
const gpuFixtures = requireFixtures("gpu/nvidia-smi-csv", "gpu/rocm-smi-json");
const available = binaries && gpuFixtures.available;
const temp = makeTempDir("all-collectors");
const captures = join(import.meta.dirname, "..", "inference", "captures");
let exporter: RunningExporter;
let vllm: MetricsTarget;
let triton: MetricsTarget;

function writeSources(dir: string): string {
  const hf = join(dir, "hf-run");
  mkdirSync(hf, { recursive: true });
  writeFileSync(
    join(hf, "trainer_state.json"),
    JSON.stringify({
      global_step: 10,
      max_steps: 100,
      log_history: [
        {
          step: 10,
          loss: 1.5,
          eval_loss: 1.7,
          eval_accuracy: 0.5,
          learning_rate: 1e-4,
          grad_norm: 2,
          epoch: 0.1,
        },
      ],
    }),
  );
  writeFileSync(
    join(hf, "train.log"),
    " 10%|█ | 10/100 [00:01<00:09, 9.9it/s]{'loss': 1.5, 'grad_norm': 2.0, 'learning_rate': 0.0001, 'epoch': 0.1}\n",
  );
  const lightning = join(dir, "lightning_logs", "version_0");
  mkdirSync(lightning, { recursive: true });
  writeFileSync(
    join(lightning, "metrics.csv"),
    "epoch,step,train_loss_step,val_loss,val_acc,lr-Adam\n0,9,0.9,,,0.001\n0,9,,0.95,0.6,\n",
  );
  const keras = join(dir, "keras");
  mkdirSync(keras, { recursive: true });
  writeFileSync(
    join(keras, "training.log"),
    "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.81,0.52,0.84,0.44\n",
  );
  const jsonl = join(dir, "jsonl");
  mkdirSync(jsonl, { recursive: true });
  writeFileSync(
    join(jsonl, "metrics.jsonl"),
    '{"step": 1, "loss": 0.5, "tokens_per_second": 1200}\n',
  );
  const run = join(dir, "mlruns", "1", "abc123");
  mkdirSync(join(run, "metrics"), { recursive: true });
  writeFileSync(join(dir, "mlruns", "1", "meta.yaml"), "experiment_id: '1'\nname: sweep\n");
  writeFileSync(join(run, "meta.yaml"), "run_id: abc123\nstatus: 1\nlifecycle_stage: active\n");
  writeFileSync(join(run, "metrics", "val_loss"), `${Date.now()} 0.8 1\n`);
  // Step-resolution statistics too: a Megatron loss spike with skipped iterations, a
  // nanoGPT log, a log read by the user's regex.
  const megatron = join(dir, "megatron");
  mkdirSync(megatron, { recursive: true });
  writeFileSync(join(megatron, "train.out"), "");
  const nanogpt = join(dir, "nanogpt");
  mkdirSync(nanogpt, { recursive: true });
  writeFileSync(
    join(nanogpt, "train.txt"),
    "step:1/100 train_loss:10.83 train_time:400ms step_avg:nanms\nstep:2/100 train_loss:9.91 train_time:800ms step_avg:400.00ms\n",
  );
  const regex = join(dir, "regex");
  mkdirSync(regex, { recursive: true });
  writeFileSync(join(regex, "train.log"), "epoch 1 step 20 loss=0.91 acc=0.52\n");
  const tailer = (kind: string, path: string, extra = "") =>
    `      - { kind: ${kind}, path: ${JSON.stringify(path)}, poll_interval: 100ms${extra} }\n`;
  return (
    tailer("hf_trainer_state", hf, ", job_name: hf") +
    tailer("hf_log", join(hf, "train.log"), ", job_name: hf-log") +
    tailer("lightning_csv", join(lightning, "metrics.csv"), ", job_name: pl") +
    tailer("keras_csv", join(keras, "training.log"), ", job_name: keras") +
    tailer("json_lines", join(jsonl, "metrics.jsonl"), ", job_name: jsonl") +
    tailer("mlflow", join(dir, "mlruns")) +
    tailer("megatron", join(megatron, "train.out"), ", job_name: megatron") +
    tailer("nanogpt", join(nanogpt, "train.txt"), ", job_name: nanogpt") +
    tailer(
      "regex",
      join(regex, "train.log"),
      `, job_name: regex, patterns: [${JSON.stringify("step (?<step>\\d+) loss=(?<loss>\\S+) acc=(?<train_acc>\\S+)")}]`,
    )
  );
}

async function promtoolCheck(text: string, name: string): Promise<string> {
  const file = join(temp.path, name);
  writeFileSync(file, text);
  const result = await runProcess("sh", ["-c", `${paths.promtool} check metrics < ${file}`]);
  return (
    `${result.stdout}${result.stderr}`.trim() +
    (result.exitCode === 0 ? "" : `\nexit ${result.exitCode}`)
  );
}

describe.skipIf(!available)("every training and inference source at once", () => {
  beforeAll(async () => {
    vllm = await startMetricsTarget(() => readFileSync(join(captures, "vllm-v1.metrics"), "utf8"));
    triton = await startMetricsTarget(() => readFileSync(join(captures, "triton.metrics"), "utf8"));
    const tailers = writeSources(temp.path);
    const gpuDir = join(temp.path, "gpu");
    mkdirSync(gpuDir);
    const gpu = everythingGpuSection(
      gpuFixtures.dir,
      gpuDir,
      "dcgm: { enabled: true, hostname: gpu-node-7 }",
      "1h",
    );
    exporter = await startTestExporter(
      temp.path,
      `${AUTH_CONFIG}collectors:\n  training:\n    tailers:\n${tailers}` +
        `  inference:\n    upstreams:\n` +
        `      - { name: vllm-0, kind: vllm, url: "http://${vllm.address}/metrics", scrape_interval: 1s, scrape_timeout: 1s }\n` +
        `      - { name: triton-0, kind: triton, url: "http://${triton.address}/metrics", scrape_interval: 1s, scrape_timeout: 1s }\n` +
        `  gpu:\n${gpu.section.replace(/^/gm, "    ")}\n` +
        `  drift:\n    evaluation_interval: 50ms\n    models:\n` +
        `      - { name: churn, reference: { first_records: 150 }, min_samples: 50, window: { records: 200 }, methods: [psi] }\n`,
      {
        collectors: [
          trainingCollector,
          inferenceCollector,
          gpuCollector({ hostname: () => "gpu-node-7" }),
          driftCollector,
        ],
      },
    );
    appendFileSync(join(temp.path, "jsonl", "metrics.jsonl"), '{"step": 2, "loss": NaN}\n');
    // Live lines (not history): counted by the step-resolution statistics.
    appendFileSync(
      join(temp.path, "megatron", "train.out"),
      [1, 2, 3]
        .map(
          (i) =>
            ` iteration ${i}/ 1000 | elapsed time per iteration (ms): 4200.5 | learning rate: 1.500E-04 | global batch size: 4 | lm loss: ${i === 3 ? "5.028361E+01" : "1.297589E+01"} | loss scale: 16384.0 | grad norm: 7.5 | number of skipped iterations: ${i === 1 ? 4 : 0} | number of nan iterations: 0 |\n`,
        )
        .join(""),
    );
    await postJson(`${exporter.url}/api/v1/training/events`, [
      {
        run_id: "api-run",
        job_name: "api",
        step: 5,
        metrics: { loss: 0.4, eval_f1: 0.7, samples_per_second: 88 },
      },
      // The same run from two ranks of a distributed job: rank-labelled series beside it.
      ...[0, 1].map((rank) => ({
        run_id: "api-run",
        job_name: "api",
        rank,
        step: 5,
        metrics: { loss: 0.4 + rank, grad_norm: 1.5 },
      })),
    ]);
    await postJson(`${exporter.url}/api/v1/inference/predictions`, [
      { id: "1", model: "churn", predicted: "yes" },
    ]);
    await postJson(`${exporter.url}/api/v1/inference/labels`, [{ id: "1", actual: "no" }]);
    const features = (offset: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        amount: offset + (i % 50),
        kind: i % 2 ? "a" : "b",
      }));
    // 150 reference records, then a live window of 50 like them and 100 shifted.
    for (const offset of [0, 0, 1000]) {
      const response = await postJson(`${exporter.url}/api/v1/data/records`, {
        model: "churn",
        records: features(offset),
      });
      expect(response.status).toBe(200);
    }
  });

  afterAll(async () => {
    await exporter?.stop();
    await vllm?.close();
    await triton?.close();
    temp.remove();
  });

  it("passes promtool check metrics with data from every source, also after an OpenMetrics scrape", async () => {
    const openMetrics = await waitFor("data from every source", async () => {
      const body = await (
        await fetch(`${exporter.url}/metrics`, {
          headers: { accept: "application/openmetrics-text; version=1.0.0" },
        })
      ).text();
      const ready = [
        'job_name="hf"',
        'job_name="hf-log"',
        'job_name="pl"',
        'job_name="keras"',
        'aiwatch_training_nonfinite_values_total{run_id="jsonl",job_name="jsonl",metric="loss"} 1',
        'job_name="sweep"',
        'aiwatch_training_outlier_steps_total{run_id="megatron",job_name="megatron",metric="loss",direction="up"} 1',
        'aiwatch_training_overflow_steps_total{run_id="megatron",job_name="megatron"} 1',
        'aiwatch_training_step_time_seconds{run_id="nanogpt",job_name="nanogpt"} 0.4',
        'aiwatch_training_metric{run_id="regex",job_name="regex",metric="train_acc"} 0.52',
        'job_name="api"',
        'aiwatch_training_loss{run_id="api-run",job_name="api",rank="1",phase="train"} 1.4',
        'server="vllm-0"',
        'server="triton-0"',
        "aiwatch_inference_label_delay_seconds_bucket",
        'aiwatch_exporter_collector_up{collector="gpu"} 1',
        'aiwatch_gpu_mig_memory_used_bytes{gpu="0"',
        "aiwatch_gpu_xid_errors_total{",
        "DCGM_FI_DEV_GPU_TEMP{",
        'aiwatch_data_drift_detected{model="churn",feature="amount",method="psi"} 1',
      ].every((needle) => body.includes(needle));
      return ready ? body : undefined;
    });
    expect(openMetrics.endsWith("# EOF\n")).toBe(true);
    expect(openMetrics).toContain("# TYPE aiwatch_config_reloads counter");
    const text = await scrape(exporter.url);
    expect(text).toContain("# TYPE aiwatch_config_reloads_total counter");
    expect(text).toContain('aiwatch_exporter_collector_up{collector="drift"} 1');
    expect(await promtoolCheck(text, "exporter.txt")).toBe("");
  });

  it("is scraped by a real Prometheus in OpenMetrics", async () => {
    mkdirSync(join(temp.path, "prom"));
    const prometheus = await startPrometheus({
      binary: paths.prometheus,
      dir: join(temp.path, "prom"),
      config: `global: { scrape_interval: 1s }\nscrape_configs:\n  - { job_name: aiwatch, static_configs: [{ targets: ["${new URL(exporter.url).host}"] }] }\n`,
    });
    try {
      const up = await waitFor("a successful scrape", async () => {
        const result = await prometheus.api<{ result: { value: [number, string] }[] }>(
          `query?query=${encodeURIComponent('up{job="aiwatch"}')}`,
        );
        return result.result[0]?.value[1] === "1" ? result : undefined;
      });
      expect(up.result).toHaveLength(1);
      const counts = await prometheus.api<{ result: { metric: Record<string, string> }[] }>(
        `query?query=${encodeURIComponent('count by (__name__) ({__name__=~"(aiwatch_(training|inference|gpu|data)_|DCGM_FI_).+"})')}`,
      );
      const names = counts.result.map((r) => r.metric["__name__"]);
      expect(names).toEqual(
        expect.arrayContaining([
          "aiwatch_training_loss",
          "aiwatch_training_run_status",
          "aiwatch_inference_requests_total",
          "aiwatch_inference_request_duration_seconds_bucket",
          "aiwatch_inference_predictions_labelled_total",
          "aiwatch_gpu_memory_used_bytes",
          "aiwatch_gpu_xid_errors_total",
          "DCGM_FI_DEV_GPU_TEMP",
          "aiwatch_data_drift_score",
        ]),
      );
    } finally {
      await prometheus.stop();
    }
  });

  it("the service middleware's registry passes promtool too", async () => {
    const registry = new client.Registry();
    const metrics = createInferenceMetrics({ registry, model: "m", modelVersion: "1" });
    const server = createServer(
      metrics.wrap((req, res) => {
        metrics.request(res).tokens({ prompt: 4, generated: 9 });
        res.statusCode = req.url === "/fail" ? 503 : 200;
        res.setHeader("content-type", "text/event-stream");
        res.write("data: x\n\n");
        res.end();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      await (await fetch(`${base}/ok`)).text();
      await (await fetch(`${base}/fail`)).text();
      const text = await waitFor("both requests counted", async () => {
        const body = await registry.metrics();
        return body.includes('aiwatch_inference_requests_total{model="m",model_version="1"} 2')
          ? body
          : undefined;
      });
      expect(text).toContain('class="server_error"} 1');
      expect(text).toContain("aiwatch_inference_time_to_first_token_seconds_count");
      expect(await promtoolCheck(text, "middleware.txt")).toBe("");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
