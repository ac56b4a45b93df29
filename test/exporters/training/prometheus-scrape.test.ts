import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningExporter } from "../../../exporters/process/run-exporter.js";
import { requireBinaries } from "../../support/binaries.js";
import { startPrometheus } from "../../support/prometheus-process.js";
import type { PrometheusInstance } from "../../support/prometheus-process.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { waitFor } from "../../support/wait-for.js";
import { AUTH_CONFIG, startTestExporter } from "./exporter-harness.js";

/**
 * The whole path with nothing mocked: a trainer (this test) keeps rewriting its
 * trainer_state.json as the Hugging Face Trainer does, the exporter's tailer follows it,
 * a real Prometheus scrapes the exporter, and the loss comes back through PromQL.
 */
const { available, paths } = requireBinaries("prometheus");
const temp = makeTempDir("training-prom");
const outputDir = join(temp.path, "llama-ft-7");
let exporter: RunningExporter;
let prometheus: PrometheusInstance;

const entries: { step: number; loss: number; learning_rate: number; epoch: number }[] = [];
function writeState(): void {
  const state = { global_step: entries.at(-1)?.step ?? 0, max_steps: 1000, log_history: entries };
  // The Trainer writes in place; write-then-rename keeps the test's own reads simple.
  writeFileSync(join(outputDir, "trainer_state.json.tmp"), JSON.stringify(state, null, 2));
  renameSync(join(outputDir, "trainer_state.json.tmp"), join(outputDir, "trainer_state.json"));
}
function logStep(step: number, loss: number): void {
  entries.push({ step, loss, learning_rate: 5e-5, epoch: step / 1000 });
  writeState();
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(!available)("Prometheus scraping a tailed training run", () => {
  beforeAll(async () => {
    mkdirSync(outputDir);
    logStep(10, 2.5);
    exporter = await startTestExporter(
      temp.path,
      `${AUTH_CONFIG}collectors:\n  training:\n    tailers:\n      - { kind: hf_trainer_state, path: ${JSON.stringify(outputDir)}, job_name: llama-ft, poll_interval: 200ms }\n`,
    );
    prometheus = await startPrometheus({
      binary: paths.prometheus,
      dir: temp.path,
      config: [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        "scrape_configs:",
        `  - { job_name: aiwatch, static_configs: [{ targets: ["${new URL(exporter.url).host}"] }] }`,
        "",
      ].join("\n"),
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    temp.remove();
  });

  const lossNow = async (): Promise<Sample[]> =>
    (
      await prometheus.api<{ result: Sample[] }>(
        `query?query=${encodeURIComponent('aiwatch_training_loss{phase="train"}')}`,
      )
    ).result;

  it("reads back each new loss the trainer logs", async () => {
    const first = await waitFor("the restored loss in Prometheus", async () => {
      const samples = await lossNow();
      return samples[0]?.value[1] === "2.5" ? samples : undefined;
    });
    expect(first[0]?.metric).toMatchObject({
      run_id: "llama-ft-7",
      job_name: "llama-ft",
      job: "aiwatch",
    });

    for (const [step, loss] of [
      [20, 2.25],
      [30, 1.875],
    ] as const) {
      logStep(step, loss);
      await waitFor(`loss ${loss} at step ${step}`, async () =>
        (await lossNow())[0]?.value[1] === String(loss) ? true : undefined,
      );
    }
    const step = await prometheus.api<{ result: Sample[] }>(
      `query?query=${encodeURIComponent("aiwatch_training_step")}`,
    );
    expect(step.result[0]?.value[1]).toBe("30");
    const running = await prometheus.api<{ result: Sample[] }>(
      `query?query=${encodeURIComponent('aiwatch_training_run_status{status="running"} > 0')}`,
    );
    expect(running.result.map((s) => s.metric["run_id"])).toEqual(["llama-ft-7"]);
  });
});
