import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MlflowTailer } from "../../../exporters/training/tailers/mlflow-tailer.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { recordingSink } from "./recording-sink.js";

const temp = makeTempDir("mlflow");
afterAll(() => temp.remove());

function runMeta(runId: string, status: number, endTime: number | null): string {
  return [
    `artifact_uri: file:///mlruns/1/${runId}/artifacts`,
    `end_time: ${endTime ?? "null"}`,
    "experiment_id: '1'",
    "lifecycle_stage: active",
    `run_id: ${runId}`,
    "run_name: brave-owl-42",
    `run_uuid: ${runId}`,
    "source_type: 4",
    "start_time: 1714564800000",
    `status: ${status}`,
    "tags: []",
    "user_id: ml",
    "",
  ].join("\n");
}

describe("MLflow file store tailer", () => {
  it("follows every run's metric files and its status", async () => {
    const root = join(temp.path, "mlruns");
    const experiment = join(root, "1");
    const run = join(experiment, "0a1b2c");
    mkdirSync(join(run, "metrics", "train"), { recursive: true });
    writeFileSync(
      join(experiment, "meta.yaml"),
      "experiment_id: '1'\nlifecycle_stage: active\nname: bert-sweep\n",
    );
    writeFileSync(join(run, "meta.yaml"), runMeta("0a1b2c", 1, null));
    writeFileSync(
      join(run, "metrics", "train", "loss"),
      "1714564800000 0.9 0\n1714564810000 0.8 10\n",
    );
    mkdirSync(join(root, ".trash"));
    const now = 1714565000000;
    const { sink, take } = recordingSink();
    const tailer = new MlflowTailer({
      name: "m",
      path: root,
      jobName: undefined,
      finishedRetentionMs: 3_600_000,
      now: () => now,
      sink,
    });
    await tailer.poll();
    const history = take();
    expect(
      history.map(
        (r) =>
          `${r.mode} ${r.record.runId} ${r.record.jobName} ${r.record.step} ${JSON.stringify(r.record.metrics)}`,
      ),
    ).toEqual([
      'history 0a1b2c bert-sweep 0 {"train/loss":0.9}',
      'history 0a1b2c bert-sweep 10 {"train/loss":0.8}',
    ]);
    expect(history[1]?.record.timestampSeconds).toBe(1714564810);

    appendFileSync(join(run, "metrics", "train", "loss"), "1714564820000 nan 20\n");
    writeFileSync(join(run, "metrics", "val_accuracy"), "1714564820000 0.7 20\n");
    await tailer.poll();
    expect(
      take().map((r) => `${r.mode} ${r.record.step} ${JSON.stringify(r.record.metrics)}`),
    ).toEqual(['live 20 {"train/loss":null}', 'live 20 {"val_accuracy":0.7}']);

    writeFileSync(join(run, "meta.yaml"), runMeta("0a1b2c", 3, 1714564900000));
    await tailer.poll();
    expect(take().map((r) => `${r.mode} ${r.record.status} ${r.record.timestampSeconds}`)).toEqual([
      "live finished 1714564900",
    ]);
    await tailer.close();
  });

  it("skips runs that ended before the retention, and deleted runs", async () => {
    const experiment = join(temp.path, "exp2");
    mkdirSync(join(experiment, "old", "metrics"), { recursive: true });
    mkdirSync(join(experiment, "deleted", "metrics"), { recursive: true });
    writeFileSync(join(experiment, "meta.yaml"), "experiment_id: '2'\nname: old-exp\n");
    writeFileSync(join(experiment, "old", "meta.yaml"), runMeta("old", 3, 1714564800000));
    writeFileSync(join(experiment, "old", "metrics", "loss"), "1714564800000 0.9 0\n");
    writeFileSync(
      join(experiment, "deleted", "meta.yaml"),
      runMeta("deleted", 1, null).replace("lifecycle_stage: active", "lifecycle_stage: deleted"),
    );
    writeFileSync(join(experiment, "deleted", "metrics", "loss"), "1714564800000 0.9 0\n");
    const { sink, take } = recordingSink();
    const tailer = new MlflowTailer({
      name: "m",
      path: experiment,
      jobName: "fixed-job",
      finishedRetentionMs: 3_600_000,
      now: () => 1714564800000 + 2 * 3_600_000,
      sink,
    });
    await tailer.poll();
    expect(take()).toEqual([]);
  });
});
