import { describe, expect, it } from "vitest";
import { parseCsvLine, parsePythonNumber } from "../../../exporters/training/sources/csv-line.js";
import { CsvMetricsParser } from "../../../exporters/training/sources/csv-metrics.js";
import type { CsvRow } from "../../../exporters/training/sources/csv-metrics.js";
import { HfLogParser } from "../../../exporters/training/sources/hf-log-lines.js";
import { parseJsonLine } from "../../../exporters/training/sources/json-lines.js";
import {
  parseMlflowMetricLine,
  parseMlflowRunMeta,
} from "../../../exporters/training/sources/mlflow-file-store.js";
import { parsePythonJson } from "../../../exporters/training/sources/python-json.js";
import { parsePythonLiteral } from "../../../exporters/training/sources/python-literal.js";

const recordOf = (row: CsvRow | undefined) => (row && "record" in row ? row.record : undefined);
const keyOf = (row: CsvRow | undefined) => (row && "key" in row ? row.key : undefined);

describe("Python's JSON", () => {
  it("reads bare NaN and Infinity outside strings only", () => {
    expect(
      parsePythonJson(
        '{"loss": NaN, "g": -Infinity, "h": Infinity, "s": "NaN Infinity", "a": [1, NaN]}',
      ),
    ).toEqual({
      loss: NaN,
      g: -Infinity,
      h: Infinity,
      s: "NaN Infinity",
      a: [1, NaN],
    });
    expect(parsePythonJson('{"s": "say \\"NaN\\"", "x": NaN}')).toEqual({ s: 'say "NaN"', x: NaN });
  });
});

describe("Python dict reprs (Hugging Face stdout)", () => {
  it("reads the Trainer's log dicts", () => {
    expect(
      parsePythonLiteral(
        "{'loss': 0.6931, 'grad_norm': 1.52, 'learning_rate': 5e-05, 'epoch': 0.5}",
      ),
    ).toEqual({ loss: 0.6931, grad_norm: 1.52, learning_rate: 5e-5, epoch: 0.5 });
    expect(
      parsePythonLiteral("{'loss': nan, 'x': -inf, 'ok': True, 'n': None, \"q\": \"it's\"}"),
    ).toMatchObject({
      loss: NaN,
      x: -Infinity,
      ok: true,
      n: null,
    });
    expect(
      parsePythonLiteral(
        "{'grad_norm': tensor(2.3125, device='cuda:0', dtype=torch.bfloat16), 'info': (1, [2])}",
      ),
    ).toEqual({ grad_norm: 2.3125, info: [1, [2]] });
    expect(() => parsePythonLiteral("{'loss': 0.5")).toThrow(/expected/);
  });

  it("takes the step and max_steps from tqdm's progress bar on the same stream", () => {
    const parser = new HfLogParser("run", "job");
    expect(parser.line(" 10%|█         | 50/500 [00:10<01:30,  5.00it/s]")).toBeUndefined();
    expect(parser.line("{'loss': 0.69, 'learning_rate': 4.5e-05, 'epoch': 0.1}")).toEqual({
      runId: "run",
      jobName: "job",
      step: 50,
      maxSteps: 500,
      metrics: { loss: 0.69, learning_rate: 4.5e-5, epoch: 0.1 },
      status: undefined,
    });
    expect(
      parser.line(
        "{'train_runtime': 100.5, 'train_samples_per_second': 39.8, 'train_steps_per_second': 4.97, 'train_loss': 0.41, 'epoch': 1.0}",
      ),
    ).toMatchObject({
      status: "finished",
      metrics: { train_loss_average: 0.41, train_samples_per_second: 39.8 },
    });
    expect(parser.line("Saving model checkpoint to out/checkpoint-500")).toBeUndefined();
  });
});

describe("CSV metric files", () => {
  it("splits quoted fields and reads Python's number spellings", () => {
    expect(parseCsvLine('a,"b,c","d""e"')).toEqual(["a", "b,c", 'd"e']);
    expect(parseCsvLine("1;2", ";")).toEqual(["1", "2"]);
    expect([
      parsePythonNumber("nan"),
      parsePythonNumber("-inf"),
      parsePythonNumber(""),
      parsePythonNumber("1e-05"),
    ]).toEqual([NaN, -Infinity, undefined, 1e-5]);
  });

  it("reads Lightning's sparse rows with a key that survives a header rewrite", () => {
    const parser = new CsvMetricsParser({
      runId: "v2",
      jobName: "gan",
      separator: ",",
      dialect: "lightning",
    });
    parser.line("epoch,step,train_loss");
    const before = parser.line("0,49,0.5,");
    parser.reset();
    parser.line("step,val_loss,epoch,train_loss");
    const after = parser.line("49,,0,0.5");
    expect(recordOf(before)).toEqual({
      runId: "v2",
      jobName: "gan",
      step: 49,
      metrics: { epoch: 0, train_loss: 0.5 },
    });
    expect(keyOf(after)).toBe(keyOf(before));
  });

  it("reads Keras rows as completed epochs", () => {
    const parser = new CsvMetricsParser({
      runId: "k",
      jobName: "j",
      separator: ",",
      dialect: "keras",
    });
    parser.line("epoch,accuracy,loss,val_accuracy,val_loss");
    expect(recordOf(parser.line("0,0.81,0.52,0.84,0.44"))).toEqual({
      runId: "k",
      jobName: "j",
      step: 1,
      metrics: { epoch: 1, accuracy: 0.81, loss: 0.52, val_accuracy: 0.84, val_loss: 0.44 },
    });
  });
});

describe("JSON lines and MLflow lines", () => {
  it("reads flat and nested JSON lines", () => {
    const defaults = { runId: "r", jobName: "j" };
    expect(
      parseJsonLine('{"step": 3, "loss": NaN, "lr": 0.001, "time": 1714564800}', defaults),
    ).toEqual({
      ok: true,
      value: {
        runId: "r",
        jobName: "j",
        step: 3,
        timestampSeconds: 1714564800,
        metrics: { loss: NaN, lr: 0.001 },
        status: undefined,
        maxSteps: undefined,
      },
    });
    expect(
      parseJsonLine(
        '{"run_id": "x", "step": 4, "timestamp": 1714564800123, "metrics": {"step_time": 0.2}}',
        defaults,
      ),
    ).toMatchObject({
      ok: true,
      value: { runId: "x", step: 4, timestampSeconds: 1714564800.123, metrics: { step_time: 0.2 } },
    });
    // A flat line is the user's own log: a formatted time or their own status word is not
    // the API's, and costs the line neither its metrics nor its step.
    expect(
      parseJsonLine(
        '{"step": 5, "loss": 0.4, "time": "2024-05-01 12:00:00", "status": "ok", "max_steps": "n/a"}',
        defaults,
      ),
    ).toMatchObject({
      ok: true,
      value: { step: 5, metrics: { loss: 0.4 }, timestampSeconds: undefined, status: undefined },
    });
    expect(parseJsonLine('{"step": 6, "loss": 0.3, "status": "finished"}', defaults)).toMatchObject(
      { ok: true, value: { step: 6, status: "finished" } },
    );
    // The API's own shape is checked as the API checks it.
    expect(
      parseJsonLine('{"step": 5, "metrics": {"loss": 0.4}, "status": "ok"}', defaults),
    ).toMatchObject({ ok: false });
    // `rank` on the API's shape is the process's (checked as the API checks it); on a flat
    // line it is the user's own number (a LoRA rank as likely as a process's).
    expect(
      parseJsonLine('{"step": 5, "rank": 3, "metrics": {"loss": 0.4}}', defaults),
    ).toMatchObject({ ok: true, value: { rank: 3, metrics: { loss: 0.4 } } });
    expect(
      parseJsonLine('{"step": 5, "rank": -3, "metrics": {"loss": 0.4}}', defaults),
    ).toMatchObject({ ok: false, errors: [{ field: "rank" }] });
    expect(parseJsonLine('{"step": 5, "rank": 8, "loss": 0.4}', defaults)).toMatchObject({
      ok: true,
      value: { rank: undefined, metrics: { rank: 8, loss: 0.4 } },
    });
    expect(parseJsonLine("   ", defaults)).toBeUndefined();
    expect(parseJsonLine('{"step": 1}', defaults)).toMatchObject({ ok: true, value: { step: 1 } });
  });

  it("refuses lines that are not records, and values the ingest API refuses, saying which field", () => {
    const defaults = { runId: "r", jobName: "j" };
    const errors = (line: string) => {
      const checked = parseJsonLine(line, defaults);
      if (checked && "malformed" in checked) return [`malformed: ${checked.malformed}`];
      return checked && !checked.ok ? checked.errors.map((e) => `${e.field}: ${e.message}`) : [];
    };
    expect(errors("not json")).toEqual(['malformed: expected a JSON object, got "not json"']);
    expect(errors('{"step": 1, "lo')[0]).toMatch(/^malformed: not JSON: /);
    expect(errors("[1, 2]")).toEqual(['malformed: expected a JSON object, got "[1, 2]"']);
    expect(errors("null")).toEqual(['malformed: expected a JSON object, got "null"']);
    expect(errors("{}")).toEqual([
      ": the record carries nothing: expected metrics, step, max_steps or status",
    ]);
    expect(errors('{"step": -1, "loss": 1}')).toEqual([
      "step: expected a non-negative integer, got number -1",
    ]);
    expect(errors('{"step": 1e30, "loss": 1}')).toEqual([
      "step: expected a non-negative integer, got number 1e+30",
    ]);
    expect(errors('{"step": "x", "loss": 1}')).toEqual([
      'step: expected a non-negative integer, got "x"',
    ]);
    expect(errors('{"global_step": 2.5, "loss": 1}')).toEqual([
      "step: expected a non-negative integer, got number 2.5",
    ]);
    expect(errors('{"step": 1, "metrics": {"loss": "high"}}')).toEqual([
      'metrics.loss: expected a number or "NaN", "Infinity", "-Infinity", got "high"',
    ]);
    expect(errors('{"note": "warmup"}')).toEqual([
      ": the record carries nothing: expected metrics, step, max_steps or status",
    ]);
  });

  it("reads metric names like __proto__ and constructor as plain names", () => {
    const checked = parseJsonLine('{"step": 1, "__proto__": 1, "constructor": 2, "toString": 3}', {
      runId: "r",
      jobName: "j",
    });
    expect(
      checked && "ok" in checked && checked.ok && Object.entries(checked.value.metrics),
    ).toEqual([
      ["__proto__", 1],
      ["constructor", 2],
      ["toString", 3],
    ]);
  });

  it("reads MLflow's metric lines and run meta", () => {
    expect(parseMlflowMetricLine("1714564800123 nan 7")).toEqual({
      timestampMs: 1714564800123,
      value: NaN,
      step: 7,
    });
    expect(parseMlflowMetricLine("1714564800123 0.5")).toEqual({
      timestampMs: 1714564800123,
      value: 0.5,
      step: 0,
    });
    expect(parseMlflowMetricLine("garbage")).toBeUndefined();
    expect(
      parseMlflowRunMeta(
        "run_id: abc\nrun_name: brave-owl\nstatus: 4\nend_time: 1714564800000\nlifecycle_stage: active\n",
      ),
    ).toEqual({
      runId: "abc",
      runName: "brave-owl",
      status: "failed",
      endTimeMs: 1714564800000,
      deleted: false,
    });
  });
});
