import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { RunningExporter } from "../../../exporters/process/run-exporter.js";
import {
  statisticsConfigSchema,
  statisticsPolicies,
} from "../../../exporters/training/statistics/statistics-config.js";
import { makeTempDir } from "../../support/temp-dir.js";
import {
  AUTH_CONFIG,
  postJson,
  sampleValue,
  scrape,
  startTestExporter,
} from "./exporter-harness.js";
import { trainingHarness } from "./training-harness.js";

const RUN = 'run_id="r",job_name="j"';
const statistics = statisticsPolicies(statisticsConfigSchema.parse({}));

/** 40 logged steps of a loss around 3.3, one spiking to 4.6 at step 30. */
const losses = Array.from({ length: 40 }, (_, step) =>
  step === 30 ? 4.6 : 3.3 + (step % 3) * 0.02,
);

describe("step-resolution statistics in the collector", () => {
  it("count what happened between scrapes, and expose the window", () => {
    const h = trainingHarness({ statistics });
    losses.forEach((loss, step) =>
      h.runs.apply({ runId: "r", jobName: "j", step, metrics: { loss, grad_norm: 1 } }, "api"),
    );
    const loss = `${RUN},metric="loss"`;
    expect(h.sample(`aiwatch_training_outlier_steps_total{${loss},direction="up"}`)).toBe(1);
    expect(h.sample(`aiwatch_training_outlier_steps_total{${loss},direction="down"}`)).toBe(0);
    expect(h.sample(`aiwatch_training_degraded_steps_total{${loss}}`)).toBe(0);
    expect(h.sample(`aiwatch_training_window_max{${loss}}`)).toBe(4.6);
    expect(h.sample(`aiwatch_training_window_min{${loss}}`)).toBe(3.3);
    expect(h.sample(`aiwatch_training_window_median{${loss}}`)).toBe(3.32);
    // The grad norm has no level test: no degraded counter for it.
    expect(h.text()).not.toContain(
      'aiwatch_training_degraded_steps_total{run_id="r",job_name="j",metric="grad_norm"}',
    );
  });

  it("rebuild the windows from history without counting its events again", () => {
    const h = trainingHarness({ statistics });
    losses.forEach((loss, step) =>
      h.runs.apply({ runId: "r", jobName: "j", step, metrics: { loss } }, "file", "history"),
    );
    expect(
      h.sample(`aiwatch_training_outlier_steps_total{${RUN},metric="loss",direction="up"}`),
    ).toBe(0);
    expect(h.sample(`aiwatch_training_window_max{${RUN},metric="loss"}`)).toBe(4.6);
  });

  it("add reported skipped iterations up, with an overflow step at 3 in 100 iterations", () => {
    const h = trainingHarness({ statistics });
    const log = (step: number, skipped: number) =>
      h.runs.apply(
        {
          runId: "r",
          jobName: "j",
          step,
          metrics: { skipped_iterations: skipped, loss_scale: 1024 },
        },
        "megatron",
      );
    log(1000, 1);
    expect(h.sample(`aiwatch_training_overflow_steps_total{${RUN}}`)).toBe(0);
    log(1010, 2);
    expect(h.sample(`aiwatch_training_skipped_iterations_total{${RUN}}`)).toBe(3);
    expect(h.sample(`aiwatch_training_overflow_steps_total{${RUN}}`)).toBe(1);
    log(1020, -4);
    expect(h.sample(`aiwatch_training_skipped_iterations_total{${RUN}}`)).toBe(3);
  });

  it("remove every statistics series with the run, and keep memory per run bounded", () => {
    const h = trainingHarness({ statistics, finishedRetentionMs: 1000 });
    let at2000 = 0;
    for (let step = 0; step < 5000; step++) {
      if (step === 2000) at2000 = h.runs.statisticsBytes("r", "j") ?? 0;
      h.runs.apply(
        {
          runId: "r",
          jobName: "j",
          step,
          metrics: { loss: 3 + Math.sin(step), eval_loss: 3, grad_norm: 1 },
        },
        "api",
      );
    }
    // Three streams of at most 2 x 64 values and 16 block bests, and 16 log intervals.
    const bound = 3 * (2 * 8 * 64 + 8 * 16) + 2 * 8 * 16 + 2 * 8 * 16;
    expect(h.runs.statisticsBytes("r", "j")).toBe(at2000);
    expect(at2000).toBeLessThanOrEqual(bound);
    h.runs.apply({ runId: "r", jobName: "j", status: "finished", metrics: {} }, "api");
    h.clock.ms += 2000;
    expect(h.runs.sweep()).toBe(1);
    expect(h.text()).not.toMatch(/run_id="r"/);
  });
});

const temp = makeTempDir("step-statistics");
let exporter: RunningExporter | undefined;
afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});
afterAll(() => temp.remove());

describe("over the ingest API", () => {
  it("counts a one-step spike the API received, and can be switched off", async () => {
    for (const enabled of [true, false]) {
      exporter = await startTestExporter(
        temp.path,
        `${AUTH_CONFIG}collectors:\n  training:\n    statistics: { enabled: ${enabled} }\n`,
      );
      const response = await postJson(
        `${exporter.url}/api/v1/training/events`,
        losses.map((loss, step) => ({ run_id: "r", job_name: "j", step, metrics: { loss } })),
      );
      expect(response.status).toBe(200);
      const text = await scrape(exporter.url);
      expect(
        sampleValue(
          text,
          `aiwatch_training_outlier_steps_total{${RUN},metric="loss",direction="up"}`,
        ),
      ).toBe(enabled ? 1 : undefined);
      await exporter.stop();
      exporter = undefined;
    }
  });
});
