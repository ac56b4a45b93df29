import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HfTrainerStateTailer } from "../../../exporters/training/tailers/hf-trainer-state-tailer.js";
import { parseTrainerState } from "../../../exporters/training/sources/hf-trainer-state.js";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { recordingSink, summarize } from "./recording-sink.js";
import { trainingHarness } from "./training-harness.js";

const temp = makeTempDir("hf-state");
afterAll(() => temp.remove());

interface Entry {
  readonly step: number;
  readonly loss?: number | string;
  readonly [key: string]: unknown;
}

/** trainer_state.json as the Trainer writes it (json.dumps, indent 2, NaN bare). */
function stateText(
  entries: readonly Entry[],
  options: { maxSteps?: number; stop?: boolean } = {},
): string {
  const state = {
    epoch: 0.1,
    global_step: entries.at(-1)?.step ?? 0,
    log_history: entries,
    max_steps: options.maxSteps ?? 1000,
    stateful_callbacks: {
      TrainerControl: { args: { should_training_stop: options.stop ?? false } },
    },
  };
  return JSON.stringify(state, null, 2).replace(/"NaN"/g, "NaN") + "\n";
}

const entry = (step: number, loss: number | string): Entry => ({
  epoch: step / 1000,
  grad_norm: 1,
  learning_rate: 1e-4,
  loss,
  step,
});

describe("Hugging Face trainer_state.json tailer", () => {
  it("restores the output directory's state as history, then emits only new log entries", async () => {
    const out = join(temp.path, "llama-ft");
    mkdirSync(out);
    writeFileSync(join(out, "trainer_state.json"), stateText([entry(10, 2.0), entry(20, 1.8)]));
    const { sink, take } = recordingSink();
    const tailer = new HfTrainerStateTailer("t", out, "llama-ft", "job", sink);
    await tailer.poll();
    expect(summarize(take()).filter((s) => !s.endsWith("-"))).toEqual([
      "history 10 loss=2",
      "history 20 loss=1.8",
    ]);

    // The Trainer saves a checkpoint: the newest checkpoint-N/trainer_state.json wins.
    mkdirSync(join(out, "checkpoint-30"));
    writeFileSync(
      join(out, "checkpoint-30", "trainer_state.json"),
      stateText([entry(10, 2.0), entry(20, 1.8), entry(30, "NaN")]),
    );
    utimesSync(
      join(out, "checkpoint-30", "trainer_state.json"),
      new Date(),
      new Date(Date.now() + 1000),
    );
    await tailer.poll();
    expect(summarize(take()).filter((s) => !s.endsWith("-"))).toEqual(["live 30 loss=NaN"]);

    // Caught half-written: no records and no error; the complete file is read next time.
    const full = stateText([entry(10, 2.0), entry(20, 1.8), entry(30, "NaN"), entry(40, 1.5)], {
      maxSteps: 40,
      stop: true,
    });
    writeFileSync(join(out, "checkpoint-30", "trainer_state.json"), full.slice(0, full.length / 2));
    utimesSync(
      join(out, "checkpoint-30", "trainer_state.json"),
      new Date(),
      new Date(Date.now() + 2000),
    );
    await tailer.poll();
    expect(take()).toEqual([]);
    writeFileSync(join(out, "checkpoint-30", "trainer_state.json"), full);
    utimesSync(
      join(out, "checkpoint-30", "trainer_state.json"),
      new Date(),
      new Date(Date.now() + 3000),
    );
    await tailer.poll();
    expect(summarize(take())).toEqual(["live 40 loss=1.5", "live - finished"]);
    await tailer.close();
  });

  it("emits what a resumed run logs after the checkpoint it resumed from", async () => {
    const file = join(temp.path, "resume", "trainer_state.json");
    mkdirSync(join(temp.path, "resume"));
    writeFileSync(file, stateText([entry(10, 2.0), entry(20, 1.8), entry(30, 1.7)]));
    const { sink, take } = recordingSink();
    const tailer = new HfTrainerStateTailer("t", file, "resume", "job", sink);
    await tailer.poll();
    take();
    // Crashed after step 30; resumed from the checkpoint at step 20, which logs 30 again, then 40.
    writeFileSync(
      file,
      stateText([entry(10, 2.0), entry(20, 1.8), entry(30, 1.65), entry(40, 1.6)]),
    );
    utimesSync(file, new Date(), new Date(Date.now() + 1000));
    await tailer.poll();
    expect(summarize(take()).filter((s) => !s.endsWith("-"))).toEqual([
      "live 30 loss=1.65",
      "live 40 loss=1.6",
    ]);
  });

  it("fails with parse_error when an unchanged file stays unreadable", async () => {
    const file = join(temp.path, "broken.json");
    writeFileSync(file, "{ not json");
    const tailer = new HfTrainerStateTailer("t", file, "r", "job", recordingSink().sink);
    await tailer.poll();
    await expect(tailer.poll()).rejects.toMatchObject({ reason: "parse_error" });
  });
});

const fixtures = requireFixtures(
  "training/HangerYang_Star__trainer_state.json",
  "training/trainer_state_viz__trainer_state.json",
);
describe.skipIf(!fixtures.available)("trainer_state.json captures from real runs", () => {
  const star = join(fixtures.dir, "training", "HangerYang_Star__trainer_state.json");
  const viz = join(fixtures.dir, "training", "trainer_state_viz__trainer_state.json");

  it("restores an unfinished 40k-step run (HangerYang/Star) with its latest values", async () => {
    const h = trainingHarness({ idleRetentionMs: 1e15 });
    const tailer = new HfTrainerStateTailer("star", star, "star", "eagle", (record, mode, at) =>
      h.runs.apply(record, "hf_trainer_state", mode, at),
    );
    await tailer.poll();
    const state = parseTrainerState(readFileSync(star, "utf8"));
    const last = state.entries.at(-1) ?? {};
    const run = 'run_id="star",job_name="eagle"';
    expect(state.entries).toHaveLength(2000);
    expect(h.sample(`aiwatch_training_loss{${run},phase="train"}`)).toBe(last["loss"]);
    expect(h.sample(`aiwatch_training_grad_norm{${run}}`)).toBe(last["grad_norm"]);
    expect(h.sample(`aiwatch_training_learning_rate{${run}}`)).toBe(last["lr"]);
    expect(h.sample(`aiwatch_training_step{${run}}`)).toBe(40000);
    expect(h.sample(`aiwatch_training_max_steps{${run}}`)).toBe(252780);
    expect(h.sample(`aiwatch_training_metric{${run},metric="train/acc_6"}`)).toBe(
      last["train/acc_6"],
    );
    expect(h.sample(`aiwatch_training_run_status{${run},status="running"}`)).toBe(1);
    // History is not counted as new points.
    expect(h.text()).not.toContain("aiwatch_training_points_total{");
  });

  it("reads a finished run with six eval sets (trainer_state_viz), and forgets it once past retention", async () => {
    const kept = trainingHarness({ finishedRetentionMs: 1e15 });
    const apply = (h: ReturnType<typeof trainingHarness>) =>
      new HfTrainerStateTailer("viz", viz, "viz", "cls", (record, mode, at) =>
        h.runs.apply(record, "hf_trainer_state", mode, at),
      );
    await apply(kept).poll();
    const run = 'run_id="viz",job_name="cls"';
    expect(kept.sample(`aiwatch_training_run_status{${run},status="finished"}`)).toBe(1);
    expect(kept.sample(`aiwatch_training_loss{${run},phase="eval_g5"}`)).toBe(4.835134983062744);
    expect(kept.sample(`aiwatch_training_eval_metric{${run},metric="g4_accuracy"}`)).toBe(
      0.2718204488778055,
    );
    expect(kept.sample(`aiwatch_training_step{${run}}`)).toBe(12030);
    // Two hours after the file was last written, a run finished then is past a 1h retention.
    const dropped = trainingHarness(
      { finishedRetentionMs: 3_600_000 },
      statSync(viz).mtimeMs + 7_200_000,
    );
    await apply(dropped).poll();
    expect(dropped.text()).not.toContain('run_id="viz"');
  });
});
