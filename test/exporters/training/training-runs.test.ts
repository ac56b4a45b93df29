import { describe, expect, it } from "vitest";
import { trainingHarness } from "./training-harness.js";

const RUN = 'run_id="r1",job_name="llama"';

describe("training runs", () => {
  it("maps a record onto the families and tracks the run's status", () => {
    const h = trainingHarness();
    h.runs.apply(
      {
        runId: "r1",
        jobName: "llama",
        step: 20,
        metrics: {
          loss: 2.5,
          eval_accuracy: 0.5,
          learning_rate: 1e-4,
          grad_norm: 4.8,
          epoch: 0.1,
          "train/acc_0": 0.04,
        },
        maxSteps: 1000,
      },
      "api",
    );
    expect(h.sample(`aiwatch_training_loss{${RUN},phase="train"}`)).toBe(2.5);
    expect(h.sample(`aiwatch_training_eval_metric{${RUN},metric="accuracy"}`)).toBe(0.5);
    expect(h.sample(`aiwatch_training_learning_rate{${RUN}}`)).toBe(1e-4);
    expect(h.sample(`aiwatch_training_grad_norm{${RUN}}`)).toBe(4.8);
    expect(h.sample(`aiwatch_training_epoch{${RUN}}`)).toBe(0.1);
    expect(h.sample(`aiwatch_training_step{${RUN}}`)).toBe(20);
    expect(h.sample(`aiwatch_training_max_steps{${RUN}}`)).toBe(1000);
    expect(h.sample(`aiwatch_training_metric{${RUN},metric="train/acc_0"}`)).toBe(0.04);
    expect(h.sample(`aiwatch_training_last_update_timestamp_seconds{${RUN}}`)).toBe(1_700_000_000);
    expect(h.sample(`aiwatch_training_run_info{${RUN},source="api"}`)).toBe(1);
    expect(h.sample(`aiwatch_training_run_status{${RUN},status="running"}`)).toBe(1);
    expect(h.sample(`aiwatch_training_run_status{${RUN},status="finished"}`)).toBe(0);
    expect(h.sample(`aiwatch_training_nonfinite_values_total{${RUN},metric="loss"}`)).toBe(0);
    expect(h.sample(`aiwatch_training_points_total{source="api"}`)).toBe(6);
    expect(h.sample(`aiwatch_training_runs{status="running"}`)).toBe(1);
  });

  it("counts non-finite values once per metric and step, and shows them in the gauge", () => {
    const h = trainingHarness();
    const record = {
      runId: "r1",
      jobName: "llama",
      step: 7,
      metrics: { loss: NaN, grad_norm: Infinity },
    };
    h.runs.apply(record, "api");
    h.runs.apply(record, "api"); // a retried batch
    h.runs.apply({ ...record, step: 8 }, "api");
    expect(h.text()).toContain(`aiwatch_training_loss{${RUN},phase="train"} NaN`);
    expect(h.text()).toContain(`aiwatch_training_grad_norm{${RUN}} +Inf`);
    expect(h.sample(`aiwatch_training_nonfinite_values_total{${RUN},metric="loss"}`)).toBe(2);
    expect(h.sample(`aiwatch_training_nonfinite_values_total{${RUN},metric="grad_norm"}`)).toBe(2);
  });

  it("restores history without counting it or refreshing the last update", () => {
    const h = trainingHarness();
    h.runs.apply(
      { runId: "r1", jobName: "llama", step: 5, metrics: { loss: NaN } },
      "hf_trainer_state",
      "history",
      1_699_999_000,
    );
    expect(h.sample(`aiwatch_training_nonfinite_values_total{${RUN},metric="loss"}`)).toBe(0);
    expect(h.sample(`aiwatch_training_last_update_timestamp_seconds{${RUN}}`)).toBe(1_699_999_000);
    expect(h.text()).not.toContain("aiwatch_training_points_total");
  });

  it("never moves the last update back, and clamps times in the future to now", () => {
    const h = trainingHarness();
    h.runs.apply(
      {
        runId: "r1",
        jobName: "llama",
        step: 1,
        timestampSeconds: 1_800_000_000,
        metrics: { loss: 1 },
      },
      "api",
    );
    expect(h.sample(`aiwatch_training_last_update_timestamp_seconds{${RUN}}`)).toBe(1_700_000_000);
    h.runs.apply(
      {
        runId: "r1",
        jobName: "llama",
        step: 2,
        timestampSeconds: 1_600_000_000,
        metrics: { loss: 1 },
      },
      "api",
    );
    expect(h.sample(`aiwatch_training_last_update_timestamp_seconds{${RUN}}`)).toBe(1_700_000_000);
  });

  it("marks a finished run, keeps it for the retention, then removes every series it owns", () => {
    const h = trainingHarness({ finishedRetentionMs: 60_000 });
    h.runs.apply({ runId: "r1", jobName: "llama", step: 100, metrics: { loss: 0.1 } }, "api");
    h.runs.apply({ runId: "r2", jobName: "llama", step: 3, metrics: { loss: 0.9 } }, "api");
    h.runs.apply({ runId: "r1", jobName: "llama", metrics: {}, status: "finished" }, "api");
    expect(h.sample(`aiwatch_training_run_status{${RUN},status="running"}`)).toBe(0);
    expect(h.sample(`aiwatch_training_run_status{${RUN},status="finished"}`)).toBe(1);
    expect(h.sample('aiwatch_training_runs{status="finished"}')).toBe(1);
    h.clock.ms += 59_000;
    expect(h.runs.sweep()).toBe(0);
    h.clock.ms += 1_000;
    expect(h.runs.sweep()).toBe(1);
    expect(h.text()).not.toContain('run_id="r1"');
    expect(h.text()).toContain('run_id="r2"');
    expect(h.sample('aiwatch_training_runs{status="finished"}')).toBe(0);
  });

  it("reopens a finished run when points arrive past the step it finished at", () => {
    const h = trainingHarness();
    h.runs.apply({ runId: "r1", jobName: "llama", step: 100, metrics: { loss: 0.1 } }, "api");
    h.runs.apply({ runId: "r1", jobName: "llama", metrics: {}, status: "failed" }, "api");
    h.runs.apply({ runId: "r1", jobName: "llama", step: 90, metrics: { loss: 0.2 } }, "api");
    expect(h.runs.status("r1", "llama")).toBe("failed");
    h.runs.apply({ runId: "r1", jobName: "llama", step: 101, metrics: { loss: 0.2 } }, "api");
    expect(h.runs.status("r1", "llama")).toBe("running");
  });

  it("drops runs that stopped logging after the idle retention", () => {
    const h = trainingHarness({ idleRetentionMs: 1_000 });
    h.runs.apply({ runId: "r1", jobName: "llama", step: 1, metrics: { loss: 1 } }, "api");
    h.clock.ms += 999;
    expect(h.runs.sweep()).toBe(0);
    h.clock.ms += 1;
    expect(h.runs.sweep()).toBe(1);
    expect(h.runs.size).toBe(0);
  });

  it("drops a finished run restored from history once past its retention, at once", () => {
    const h = trainingHarness({ finishedRetentionMs: 60_000 });
    const old = 1_700_000_000 - 3600;
    h.runs.apply(
      { runId: "r1", jobName: "llama", step: 9, metrics: { loss: 1 } },
      "mlflow",
      "history",
      old,
    );
    const outcome = h.runs.apply(
      { runId: "r1", jobName: "llama", metrics: {}, status: "finished", timestampSeconds: old },
      "mlflow",
      "history",
    );
    expect(outcome).toBe("expired");
    expect(h.text()).not.toContain('run_id="r1"');
  });

  it("bounds runs and metrics per run, counting what it refuses", () => {
    const h = trainingHarness({ maxRuns: 1, maxMetricsPerRun: 2, otherMetrics: false });
    h.runs.apply(
      { runId: "r1", jobName: "j", step: 1, metrics: { loss: 1, lr: 2, grad_norm: 3, custom: 4 } },
      "api",
    );
    expect(h.runs.apply({ runId: "r2", jobName: "j", step: 1, metrics: { loss: 1 } }, "api")).toBe(
      "run_limit",
    );
    expect(h.refused).toEqual(["metric_limit:1", "run_limit:1"]);
    expect(h.text()).not.toContain("custom");
  });
});
