import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTailer } from "../../../exporters/training/tailers/create-tailer.js";
import type { TailProblem } from "../../../exporters/training/tailers/tailer.js";
import type { TailerConfig } from "../../../exporters/training/training-config.js";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { trainingHarness } from "./training-harness.js";
import { recordingSink, summarize } from "./recording-sink.js";

const temp = makeTempDir("line-tailer");
afterAll(() => temp.remove());
let counter = 0;

function follow(kind: TailerConfig["kind"], fileName: string, extra: Partial<TailerConfig> = {}) {
  const dir = join(temp.path, `case-${++counter}`);
  const path = join(dir, fileName);
  const { sink, take } = recordingSink();
  const problems: TailProblem[] = [];
  const make = () =>
    createTailer({ kind, path, job_name: "job", poll_interval: "1s", ...extra } as TailerConfig, {
      sink,
      problems: (problem) => problems.push(problem),
      finishedRetentionMs: 3_600_000,
      now: Date.now,
    }).tailer;
  return { dir, path, take, make, problems };
}

const jsonLine = (step: number, loss: number | string) => `{"step": ${step}, "loss": ${loss}}\n`;

describe("line tailers", () => {
  it("restores what a file already holds as history, then follows appends live", async () => {
    const { dir, path, take, make } = follow("json_lines", "metrics.jsonl");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, jsonLine(1, 0.9) + jsonLine(2, "NaN"));
    const tailer = make();
    await tailer.poll();
    const history = take();
    expect(summarize(history)).toEqual(["history 1 loss=0.9", "history 2 loss=NaN"]);
    expect(history[0]?.record.runId).toBe(`case-${counter}`);
    appendFileSync(path, jsonLine(3, 0.7));
    await tailer.poll();
    expect(summarize(take())).toEqual(["live 3 loss=0.7"]);
    await tailer.poll();
    expect(take()).toEqual([]);
    await tailer.close();
  });

  it("labels the records of a rank's file with the configured rank, unless a line names its own", async () => {
    const { dir, path, take, make } = follow("json_lines", "rank-1.jsonl", { rank: 1 });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, jsonLine(1, 0.9) + '{"step": 2, "rank": 5, "metrics": {"loss": 0.8}}\n');
    const tailer = make();
    await tailer.poll();
    expect(take().map((r) => r.record.rank)).toEqual([1, 5]);
    await tailer.close();
  });

  it("waits for a partial line to be completed", async () => {
    const { dir, path, take, make } = follow("json_lines", "m.jsonl");
    const tailer = make();
    await tailer.poll(); // the file does not exist yet: nothing, and no error
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, jsonLine(1, 0.5) + '{"step": 2, "lo');
    await tailer.poll();
    expect(summarize(take())).toEqual(["live 1 loss=0.5"]);
    appendFileSync(path, 'ss": 0.4}\n');
    await tailer.poll();
    expect(summarize(take())).toEqual(["live 2 loss=0.4"]);
    await tailer.close();
  });

  it("reads a truncated (copytruncate) file from its start, without re-emitting old lines", async () => {
    const { dir, path, take, make } = follow("json_lines", "m.jsonl");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, jsonLine(1, 0.5) + jsonLine(2, 0.4));
    const tailer = make();
    await tailer.poll();
    take();
    truncateSync(path, 0);
    appendFileSync(path, jsonLine(3, 0.3));
    await tailer.poll();
    expect(summarize(take())).toEqual(["live 3 loss=0.3"]);
    // Truncated and refilled past the old size before the next poll.
    writeFileSync(path, jsonLine(4, 0.2) + jsonLine(5, 0.1) + jsonLine(6, 0.05));
    await tailer.poll();
    expect(summarize(take())).toEqual(["live 4 loss=0.2", "live 5 loss=0.1", "live 6 loss=0.05"]);
    await tailer.close();
  });

  it("drains a rotated file before reading the new one", async () => {
    const { dir, path, take, make } = follow("json_lines", "m.jsonl");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, jsonLine(1, 0.5));
    const tailer = make();
    await tailer.poll();
    take();
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, jsonLine(2, 0.4)); // the writer still held the old file
    writeFileSync(path, jsonLine(3, 0.3));
    await tailer.poll();
    expect(summarize(take())).toEqual(["live 2 loss=0.4", "live 3 loss=0.3"]);
    await tailer.close();
  });

  it("does not re-emit what a writer copied into a replacement file (write then rename)", async () => {
    const { dir, path, take, make } = follow("json_lines", "m.jsonl");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, jsonLine(1, 0.5) + jsonLine(2, 0.4));
    const tailer = make();
    await tailer.poll();
    take();
    writeFileSync(`${path}.tmp`, jsonLine(1, 0.5) + jsonLine(2, 0.4) + jsonLine(3, 0.3));
    renameSync(`${path}.tmp`, path);
    await tailer.poll();
    expect(summarize(take())).toEqual(["live 3 loss=0.3"]);
    await tailer.close();
  });

  it("after a restart, restores the run from the file without emitting anything live", async () => {
    const { dir, path, take, make } = follow("json_lines", "m.jsonl");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, jsonLine(1, 0.5) + jsonLine(2, 0.4));
    const first = make();
    await first.poll();
    await first.close();
    take();
    const restarted = make();
    await restarted.poll();
    expect(summarize(take())).toEqual(["history 1 loss=0.5", "history 2 loss=0.4"]);
    appendFileSync(path, jsonLine(3, 0.3));
    await restarted.poll();
    expect(summarize(take())).toEqual(["live 3 loss=0.3"]);
    await restarted.close();
  });

  it("follows Lightning's CSVLogger through a rewrite with a wider header", async () => {
    const { dir, path, take, make } = follow("lightning_csv", "metrics.csv");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, "epoch,step,train_loss\n0,49,0.9\n0,99,0.8\n");
    const tailer = make();
    await tailer.poll();
    expect(summarize(take(), ["train_loss"])).toEqual([
      "history 49 train_loss=0.9",
      "history 99 train_loss=0.8",
    ]);
    appendFileSync(path, "1,149,0.7\n");
    await tailer.poll();
    expect(summarize(take(), ["train_loss"])).toEqual(["live 149 train_loss=0.7"]);
    // A metric appears: Lightning rewrites the file, old rows included, with a new header.
    writeFileSync(
      path,
      "epoch,step,train_loss,val_loss\n0,49,0.9,\n0,99,0.8,\n1,149,0.7,\n1,149,,0.75\n1,199,0.6,\n",
    );
    await tailer.poll();
    expect(summarize(take(), ["train_loss", "val_loss"])).toEqual([
      "live 149 val_loss=0.75",
      "live 199 train_loss=0.6",
    ]);
    await tailer.close();
  });

  it("treats a Keras CSV restarted from scratch as new content", async () => {
    const { dir, path, take, make } = follow("keras_csv", "training.log");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, "epoch,loss,val_loss\n0,0.9,0.95\n1,0.8,0.85\n2,0.7,0.8\n");
    const tailer = make();
    await tailer.poll();
    take();
    writeFileSync(path, "epoch,loss,val_loss\n0,0.91,0.96\n");
    await tailer.poll();
    expect(summarize(take(), ["loss"])).toEqual(["live 1 loss=0.91"]);
    await tailer.close();
  });

  it("reads a Hugging Face stdout log with tqdm progress bars", async () => {
    const { dir, path, take, make } = follow("hf_log", "train.log");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path,
      "***** Running training *****\n" +
        "  0%|          | 0/200 [00:00<?, ?it/s]\r  5%|▌         | 10/200 [00:02<00:40,  4.70it/s]" +
        "{'loss': 1.25, 'grad_norm': 3.5, 'learning_rate': 4.9e-05, 'epoch': 0.05}\n" +
        "\r 10%|█         | 20/200 [00:04<00:38,  4.70it/s]",
    );
    const tailer = make();
    await tailer.poll();
    expect(summarize(take())).toEqual(["history 10 loss=1.25"]);
    appendFileSync(
      path,
      "{'loss': nan, 'grad_norm': nan, 'learning_rate': 4.8e-05, 'epoch': 0.1}\n",
    );
    await tailer.poll();
    const live = take();
    expect(summarize(live)).toEqual(["live 20 loss=NaN"]);
    expect(live[0]?.record.maxSteps).toBe(200);
    await tailer.close();
  });
});

describe("lines that are not records", () => {
  it("are reported with their file and line, and the lines after them still read", async () => {
    const { dir, path, take, make, problems } = follow("json_lines", "bad.jsonl");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path,
      jsonLine(1, 0.9) +
        "not json\n" +
        '{"step": -1, "loss": 1}\n' +
        '{"step": 1e30, "loss": 1}\n' +
        '{"step": "x", "loss": 1}\n' +
        "\n" +
        jsonLine(2, 0.8),
    );
    const tailer = make();
    await tailer.poll();
    expect(summarize(take())).toEqual(["history 1 loss=0.9", "history 2 loss=0.8"]);
    expect(problems.map((p) => `${p.reason} ${p.line} ${p.message}`)).toEqual([
      'invalid_line 2 expected a JSON object, got "not json"',
      "invalid_record 3 step: expected a non-negative integer, got number -1",
      "invalid_record 4 step: expected a non-negative integer, got number 1e+30",
      'invalid_record 5 step: expected a non-negative integer, got "x"',
    ]);
    expect(problems.every((p) => p.path === path)).toBe(true);
    appendFileSync(path, "{'step': 3\n");
    await tailer.poll();
    expect(problems.at(-1)).toMatchObject({ reason: "invalid_line", line: 8 });
    await tailer.close();
  });

  it("count CSV rows with values past the header or no number, and Hugging Face dicts that do not parse", async () => {
    const csv = follow("keras_csv", "training.log");
    mkdirSync(csv.dir, { recursive: true });
    writeFileSync(csv.path, "epoch,loss\n0,0.5\n1,0.4,9\noops,\n2,0.3\n");
    const csvTailer = csv.make();
    await csvTailer.poll();
    expect(summarize(csv.take())).toEqual(["history 1 loss=0.5", "history 3 loss=0.3"]);
    expect(csv.problems.map((p) => `${p.reason} ${p.line}`)).toEqual([
      "invalid_line 3",
      "invalid_line 4",
    ]);
    await csvTailer.close();

    const log = follow("hf_log", "train.log");
    mkdirSync(log.dir, { recursive: true });
    writeFileSync(
      log.path,
      "{'loss': 0.5, 'epoch': 0.1}\n{'loss': 0.4, 'epo\nSaving model checkpoint\n{'loss': 0.3}\n",
    );
    const logTailer = log.make();
    await logTailer.poll();
    expect(summarize(log.take())).toEqual(["history - loss=0.5", "history - loss=0.3"]);
    expect(log.problems.map((p) => `${p.reason} ${p.line}`)).toEqual(["invalid_line 2"]);
    await logTailer.close();
  });
});

const lightning = requireFixtures("training/genrisk__version_2__metrics.csv");
describe.skipIf(!lightning.available)(
  "a real Lightning CSVLogger file (AIRI-Institute/genrisk)",
  () => {
    it("restores every row as history, with the GAN's two losses as phases", async () => {
      const path = join(lightning.dir, "training", "genrisk__version_2__metrics.csv");
      const h = trainingHarness({ idleRetentionMs: 1e15 });
      const problems: TailProblem[] = [];
      const tailer = createTailer(
        {
          kind: "lightning_csv",
          path,
          run_id: "version_2",
          job_name: "genrisk",
          poll_interval: "5s",
        },
        {
          sink: (record, mode, at) => h.runs.apply(record, "lightning_csv", mode, at),
          problems: (problem) => problems.push(problem),
          finishedRetentionMs: 1,
          now: Date.now,
        },
      ).tailer;
      await tailer.poll();
      await tailer.close();
      const rows = readFileSync(path, "utf8").trim().split("\n");
      const [step, epoch, disc, gen] = (rows.at(-1) ?? "").split(",").map(Number);
      const run = 'run_id="version_2",job_name="genrisk"';
      expect(rows).toHaveLength(321);
      expect(problems).toEqual([]);
      expect(h.sample(`aiwatch_training_step{${run}}`)).toBe(step);
      expect(h.sample(`aiwatch_training_epoch{${run}}`)).toBe(epoch);
      expect(h.sample(`aiwatch_training_loss{${run},phase="train_disc"}`)).toBe(disc);
      expect(h.sample(`aiwatch_training_loss{${run},phase="train_gen"}`)).toBe(gen);
    });
  },
);
