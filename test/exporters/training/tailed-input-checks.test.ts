import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../support/temp-dir.js";
import { waitFor } from "../../support/wait-for.js";
import { AUTH_CONFIG, sampleValue, scrape, startTestExporter } from "./exporter-harness.js";

const temp = makeTempDir("tailed-input-checks");
afterAll(() => temp.remove());

const REJECTED = 'aiwatch_exporter_rejected_records_total{collector="training",reason="%s"}';
const rejected = (text: string, reason: string) =>
  sampleValue(text, REJECTED.replace("%s", reason)) ?? 0;

describe("tailed files through the exporter", () => {
  it("take metric names like toString, constructor and __proto__ as plain names", async () => {
    const dir = join(temp.path, "proto");
    mkdirSync(dir, { recursive: true });
    const jsonl = join(dir, "metrics.jsonl");
    const log = join(dir, "train.log");
    writeFileSync(jsonl, '{"step": 1, "toString": 1, "constructor": 2, "__proto__": 3}\n');
    writeFileSync(log, "{'loss': 0.5, 'constructor_loss': 4, 'hasOwnProperty': 5}\n");
    const exporter = await startTestExporter(
      dir,
      `${AUTH_CONFIG}collectors:\n  training:\n    tailers:\n` +
        `      - { kind: json_lines, path: ${JSON.stringify(jsonl)}, run_id: j, job_name: j, poll_interval: 50ms }\n` +
        `      - { kind: hf_log, path: ${JSON.stringify(log)}, run_id: h, job_name: h, poll_interval: 50ms }\n`,
    );
    try {
      appendFileSync(jsonl, '{"step": 2, "loss": 0.25}\n');
      const text = await waitFor("the line after the odd names", async () => {
        const body = await scrape(exporter.url);
        return body.includes('aiwatch_training_loss{run_id="j",job_name="j",phase="train"} 0.25')
          ? body
          : undefined;
      });
      const j = 'run_id="j",job_name="j"';
      expect(sampleValue(text, `aiwatch_training_metric{${j},metric="toString"}`)).toBe(1);
      expect(sampleValue(text, `aiwatch_training_metric{${j},metric="constructor"}`)).toBe(2);
      expect(sampleValue(text, `aiwatch_training_metric{${j},metric="__proto__"}`)).toBe(3);
      const h = 'run_id="h",job_name="h"';
      expect(sampleValue(text, `aiwatch_training_loss{${h},phase="constructor"}`)).toBe(4);
      expect(sampleValue(text, `aiwatch_training_metric{${h},metric="hasOwnProperty"}`)).toBe(5);
      expect(sampleValue(text, 'aiwatch_exporter_collector_up{collector="training"}')).toBe(1);
    } finally {
      await exporter.stop();
    }
  });

  it("count bad lines and values by reason and log each file's first one with its line", async () => {
    const dir = join(temp.path, "bad");
    mkdirSync(dir, { recursive: true });
    const jsonl = join(dir, "metrics.jsonl");
    const csv = join(dir, "training.log");
    writeFileSync(
      jsonl,
      '{"step": 1, "loss": 0.9}\nnot json\n{"step": -1, "loss": 1}\n{"step": "x", "loss": 1}\n',
    );
    writeFileSync(csv, "epoch,loss\n0,0.5\n1,0.4,9\n");
    const logs: string[] = [];
    const exporter = await startTestExporter(
      dir,
      `${AUTH_CONFIG}collectors:\n  training:\n    tailers:\n` +
        `      - { kind: json_lines, path: ${JSON.stringify(jsonl)}, run_id: j, job_name: j, poll_interval: 50ms }\n` +
        `      - { kind: keras_csv, path: ${JSON.stringify(csv)}, run_id: k, job_name: k, poll_interval: 50ms }\n`,
      { logs },
    );
    try {
      appendFileSync(jsonl, "{oops\n" + '{"step": 2, "loss": 0.8}\n');
      const text = await waitFor("every line read", async () => {
        const body = await scrape(exporter.url);
        return rejected(body, "invalid_line") === 3 &&
          rejected(body, "invalid_record") === 2 &&
          body.includes('aiwatch_training_step{run_id="j",job_name="j"} 2')
          ? body
          : undefined;
      });
      expect(
        sampleValue(text, 'aiwatch_training_loss{run_id="k",job_name="k",phase="train"}'),
      ).toBe(0.5);
      const warnings = logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry["level"] === "warn" && typeof entry["reason"] === "string");
      expect(warnings.map((w) => [w["reason"], w["at"], w["problem"]])).toEqual(
        expect.arrayContaining([
          ["invalid_line", `${jsonl}:2`, 'expected a JSON object, got "not json"'],
          ["invalid_record", `${jsonl}:3`, "step: expected a non-negative integer, got number -1"],
          ["invalid_line", `${csv}:3`, "expected at most 2 values (the header's columns), got 3"],
        ]),
      );
      // Once per file and reason: the jsonl's second bad line and second refused value are only counted.
      expect(warnings).toHaveLength(3);
    } finally {
      await exporter.stop();
    }
  });
});
