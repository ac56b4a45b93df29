import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CsvMetricsParser } from "../../../exporters/training/sources/csv-metrics.js";
import { MegatronLogParser } from "../../../exporters/training/sources/megatron-log-lines.js";
import { NanoGptLogParser } from "../../../exporters/training/sources/nanogpt-log-lines.js";
import { RegexLogParser } from "../../../exporters/training/sources/regex-log-lines.js";
import { createTailer } from "../../../exporters/training/tailers/create-tailer.js";
import type { TailProblem } from "../../../exporters/training/tailers/tailer.js";
import { requireFixtures } from "../../support/fixtures.js";
import { makeTempDir } from "../../support/temp-dir.js";
import { recordingSink } from "./recording-sink.js";

const fixtures = requireFixtures("training-dev/PROVENANCE.md");
const temp = makeTempDir("log-tailers");
afterAll(() => temp.remove());

/** The lines of a real log that start like `prefix` (a dev fixture). */
function linesOf(file: string, test: (line: string) => boolean): string[] {
  return readFileSync(join(fixtures.dir, "training-dev", file), "utf8")
    .split("\n")
    .filter(test);
}

describe.skipIf(!fixtures.available)("Megatron-LM / DeepSpeed iteration lines", () => {
  it("reads the fp16 run's loss, loss scale, skips and grad norm; iteration is the step", () => {
    const parser = new MegatronLogParser("run", "job");
    const lines = linesOf(
      "bigscience-workshop_bigscience__gpt2-meg-n32-fp16-overflow-skips.out",
      (l) => l.includes(" iteration ") || l.includes("validation loss at"),
    );
    const records = lines.map((l) => parser.line(l));
    expect(records.every((r) => r && r.problems.length === 0)).toBe(true);
    // iteration 10: every iteration skipped, so no lm loss at all.
    expect(records[0]?.record).toMatchObject({
      step: 10,
      maxSteps: 1000,
      metrics: { loss_scale: 8388608, skipped_iterations: 10, nan_iterations: 0 },
    });
    expect(records[0]?.record.metrics["loss"]).toBeUndefined();
    expect(records[0]?.record.metrics["step_time_seconds"]).toBeCloseTo(10.4625);
    // global batch size 4 over 10.46 s per iteration.
    expect(records[0]?.record.metrics["samples_per_second"]).toBeCloseTo(4 / 10.4625);
    expect(records[2]?.record).toMatchObject({
      step: 30,
      metrics: { loss: 50.28361, grad_norm: 103.606, skipped_iterations: 1, loss_scale: 16384 },
    });
    const evaluation = records.find((r) => r?.record.metrics["eval_loss"] !== undefined);
    expect(evaluation?.record).toMatchObject({
      step: 100,
      metrics: { eval_loss: 8.581882, eval_perplexity: 5334.132 },
    });
  });

  it("reads DeepSpeed's `lm-loss` spelling and its consumed tokens as tokens per second", () => {
    const parser = new MegatronLogParser("run", "job");
    const ds = linesOf(
      "bigscience-workshop_bigscience__gpt2-52b-meg-ds-3d-n16-ds-on-spike.out",
      (l) => l.includes(" iteration "),
    ).map((l) => parser.line(l)?.record);
    expect(ds[2]?.metrics).toMatchObject({ loss: 41.03157, grad_norm: 0, loss_scale: -1 });
    const moe = new MegatronLogParser("run", "job");
    const [first, second] = linesOf(
      "microsoft_Megatron-DeepSpeed__moe-gpt3-125m-tokendrop-fp16-interrupted.log",
      (l) => l.includes(" iteration "),
    ).map((l) => moe.line(l)?.record);
    expect(first?.metrics["tokens_per_second"]).toBeUndefined();
    // 5,242,880 tokens over 10 iterations of 0.4732 s.
    expect(second?.metrics["tokens_per_second"]).toBeCloseTo(524288 / 0.4732, 0);
  });

  it("takes Megatron-LM's own time stamp, and reports a value that is not a number", () => {
    const parser = new MegatronLogParser("run", "job");
    const parsed = parser.line(
      "[default0]: [2025-11-28 18:48:17] iteration       50/    5000 | consumed samples:        51200 | elapsed time per iteration (ms): 61674.3 | throughput per GPU (TFLOP/s/GPU): 68.2 | learning rate: 2.999E-04 | lm loss: oops | grad norm: 1.25 |",
    );
    expect(parsed?.record).toMatchObject({
      step: 50,
      timestampSeconds: Date.UTC(2025, 10, 28, 18, 48, 17) / 1000,
      metrics: { throughput_per_gpu: 68.2, consumed_samples: 51200, grad_norm: 1.25 },
    });
    expect(parsed?.problems).toEqual(['lm loss: expected a number, got "oops"']);
    expect(parser.line("  train_iters ..................................... 1000")).toBeUndefined();
  });
});

describe.skipIf(!fixtures.available)("nanoGPT-family lines", () => {
  it("reads modded-nanogpt's step lines, with the time per step from train_time", () => {
    const parser = new NanoGptLogParser("run", "job");
    const records = linesOf(
      "KellerJordan_modded-nanogpt__modernarch-record-2024-10-14-train-loss.txt",
      (l) => l.startsWith("step:"),
    )
      .slice(0, 4)
      .map((l) => parser.line(l)?.record);
    expect(records[0]).toMatchObject({ step: 0, maxSteps: 5100, metrics: { eval_loss: 16.0058 } });
    expect(records[1]).toMatchObject({ step: 1, metrics: { loss: 16.0026 } });
    // step:1 at 42703ms, step:2 at 53466ms (the compile); step_avg (a running mean) is left out.
    expect(records[2]?.metrics["step_time_seconds"]).toBeCloseTo(10.763);
    expect(Object.keys(records[2]?.metrics ?? {}).sort()).toEqual(["loss", "step_time_seconds"]);
  });

  it("does not read the training script modded-nanogpt logs first", () => {
    const parser = new NanoGptLogParser("run", "job");
    const script = linesOf(
      "KellerJordan_modded-nanogpt__quantizedfp4-2024-11-14-loss-spikes.txt",
      (l) => l.includes("step:") && !l.startsWith("step:"),
    );
    expect(script.length).toBeGreaterThan(0);
    expect(script.map((l) => parser.line(l))).toEqual(script.map(() => undefined));
  });

  it("reads llm.c's log file, nanoGPT's iter and eval lines, and llm.c's stdout", () => {
    const parser = new NanoGptLogParser("run", "job");
    expect(parser.line("s:7435 trl:3.781200 lr:0.000470 norm:1.44")?.record).toMatchObject({
      step: 7435,
      metrics: { loss: 3.7812, learning_rate: 0.00047, grad_norm: 1.44 },
    });
    expect(parser.line("s:250 tel:6.1710")?.record.metrics).toEqual({ eval_loss: 6.171 });
    const iter = parser.line("iter 10: loss 2.7512, time 30728.83ms, mfu -100.00%")?.record;
    // mfu -100% is nanoGPT's "not measured yet".
    expect(Object.keys(iter?.metrics ?? {})).toEqual(["loss", "step_time_seconds"]);
    expect(iter?.metrics["step_time_seconds"]).toBeCloseTo(30.72883);
    expect(parser.line("iter 20: loss 2.5, time 120ms, mfu 40.00%")?.record.metrics).toEqual({
      loss: 2.5,
      step_time_seconds: 0.12,
      mfu: 0.4,
    });
    expect(parser.line("step 250: train loss 1.9000, val loss 2.0000")?.record).toMatchObject({
      step: 250,
      metrics: { eval_train_loss: 1.9, eval_loss: 2 },
    });
    expect(
      parser.line(
        "step    2/19560 | loss 10.959837 (+0.00z)| norm 15.2374 (+0.00z)| lr 1.20e-06 | 123.45 ms | 45.2% bf16 MFU | 4246869 tok/s",
      )?.record,
    ).toMatchObject({
      step: 2,
      maxSteps: 19560,
      metrics: {
        loss: 10.959837,
        grad_norm: 15.2374,
        learning_rate: 1.2e-6,
        tokens_per_second: 4246869,
      },
    });
    const bad = parser.line("iter 30: loss x, time 100ms");
    expect(bad?.problems).toEqual(['loss: expected a number, got "x"']);
    expect(bad?.record.metrics).toEqual({ step_time_seconds: 0.1 });
  });
});

describe("regex lines", () => {
  it("names the step, the metrics and their phase from the pattern's groups", () => {
    const parser = new RegexLogParser(
      [
        /^(?<timestamp>\S+ \S+) epoch \d+ iteration (?<step>\d+): (?<phase>train|val) loss=(?<loss>\S+) time=(?<step_time_ms>\S+)/,
        /^step (?<step>\d+) (?<metric>\w+) = (?<value>\S+)$/,
      ],
      "run",
      "job",
    );
    expect(
      parser.line("2024-05-01 12:00:00 epoch 3 iteration 1200: val loss=2.5 time=250"),
    ).toEqual({
      record: {
        runId: "run",
        jobName: "job",
        step: 1200,
        maxSteps: undefined,
        timestampSeconds: Date.UTC(2024, 4, 1, 12) / 1000,
        metrics: { val_loss: 2.5, val_step_time_seconds: 0.25 },
      },
      problems: [],
    });
    expect(parser.line("step 7 accuracy = 0.91")?.record.metrics).toEqual({ accuracy: 0.91 });
    expect(parser.line("step 8 accuracy = n/a")?.problems).toEqual([
      'value: expected a number, got "n/a"',
    ]);
    expect(parser.line("Saving checkpoint")).toBeUndefined();
  });
});

describe("refused values, counted and logged with file:line", () => {
  it("Megatron and Lightning: the bad value is refused, the rest of its line kept", async () => {
    const dir = join(temp.path, "refused");
    mkdirSync(dir, { recursive: true });
    const cases = [
      {
        kind: "megatron" as const,
        file: join(dir, "train.out"),
        text: " iteration 1/ 10 | lm loss: 2.5 | grad norm: nan |\n iteration 2/ 10 | lm loss: bad | grad norm: 1.0 |\n",
        kept: ["1 loss=2.5 grad_norm=NaN", "2 grad_norm=1"],
        refused: ['invalid_value 2 lm loss: expected a number, got "bad"'],
      },
      {
        kind: "lightning_csv" as const,
        file: join(dir, "metrics.csv"),
        text: "epoch,step,train_loss,lr-Adam\n0,9,0.9,0.001\n0,19,oops,0.001\n",
        kept: ["9 epoch=0 train_loss=0.9 lr-Adam=0.001", "19 epoch=0 lr-Adam=0.001"],
        refused: ['invalid_value 3 train_loss: expected a number, got "oops"'],
      },
    ];
    for (const c of cases) {
      writeFileSync(c.file, c.text);
      const { sink, take } = recordingSink();
      const problems: TailProblem[] = [];
      const { tailer } = createTailer(
        { kind: c.kind, path: c.file, job_name: "job", poll_interval: "1s" },
        { sink, problems: (p) => problems.push(p), finishedRetentionMs: 3_600_000, now: Date.now },
      );
      await tailer.poll();
      expect(
        take().map(
          ({ record }) =>
            `${record.step} ${Object.entries(record.metrics)
              .map(([k, v]) => `${k}=${v}`)
              .join(" ")}`,
        ),
      ).toEqual(c.kept);
      expect(problems.map((p) => `${p.reason} ${p.line} ${p.message}`)).toEqual(c.refused);
      expect(problems.every((p) => p.path === c.file)).toBe(true);
      await tailer.close();
    }
  });

  it("the CSV parser lists non-numeric cells beside the row's record", () => {
    const parser = new CsvMetricsParser({
      runId: "r",
      jobName: "j",
      separator: ",",
      dialect: "lightning",
    });
    parser.line("step,loss,acc");
    const row = parser.line("1,0.5,high");
    expect(row && "problems" in row ? row.problems : undefined).toEqual([
      'acc: expected a number, got "high"',
    ]);
  });
});
