import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { RunningExporter } from "../../../exporters/process/run-exporter.js";
import { makeTempDir } from "../../support/temp-dir.js";
import {
  AUTH_CONFIG,
  postJson,
  sampleValue,
  scrape,
  startTestExporter,
} from "./exporter-harness.js";

const temp = makeTempDir("training-ingest");
let exporter: RunningExporter | undefined;
afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});
afterAll(() => temp.remove());

const start = async (extra = "") => {
  exporter = await startTestExporter(
    temp.path,
    `${AUTH_CONFIG}collectors:\n  training:\n    max_records_per_request: 5\n${extra}`,
  );
  return exporter.url;
};
const events = (url: string) => `${url}/api/v1/training/events`;
const RUN = 'run_id="r-1",job_name="llama-ft"';

describe("POST /api/v1/training/events", () => {
  it("accepts a batch and exposes it", async () => {
    const url = await start();
    const response = await postJson(events(url), [
      { run_id: "r-1", job_name: "llama-ft", step: 10, metrics: { loss: 2.5, eval_accuracy: 0.4 } },
      {
        run_id: "r-1",
        job_name: "llama-ft",
        step: 20,
        timestamp: "2024-05-01T12:00:00Z",
        metrics: { loss: "NaN" },
      },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "success",
      data: { received: 2, accepted: 2 },
    });
    const text = await scrape(url);
    expect(text).toContain(`aiwatch_training_loss{${RUN},phase="train"} NaN`);
    expect(sampleValue(text, `aiwatch_training_eval_metric{${RUN},metric="accuracy"}`)).toBe(0.4);
    expect(sampleValue(text, `aiwatch_training_step{${RUN}}`)).toBe(20);
    expect(sampleValue(text, `aiwatch_training_nonfinite_values_total{${RUN},metric="loss"}`)).toBe(
      1,
    );
  });

  it("applies the good records of a batch, and answers 400 naming each bad record's index and field", async () => {
    const url = await start();
    const response = await postJson(events(url), [
      { run_id: "r-1", job_name: "llama-ft", step: 1, metrics: { loss: 1.5 } },
      { run_id: "r-1", job_name: "llama-ft", step: -1, metrics: { loss: null } },
      { run_id: "", job_name: "llama-ft", step: 2, metric: { loss: 1 } },
      { run_id: "r-1", job_name: "llama-ft", metrics: { loss: 1 }, timestamp: 1714564800000 },
      { run_id: "r-1", job_name: "llama-ft", step: 3, metrics: { loss: 1.25 }, status: "done" },
    ]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      errorType: string;
      error: string;
      details: {
        accepted: number;
        rejected: number;
        errors: { index: number; field: string; message: string }[];
      };
    };
    expect(body.errorType).toBe("invalid-records");
    expect(body.error).toBe(
      "some records are invalid: 4 of 5 records rejected; the 1 valid records were applied",
    );
    expect(body.details.accepted).toBe(1);
    expect(body.details.errors.map((e) => `${e.index} ${e.field}`)).toEqual([
      "1 step",
      "1 metrics.loss",
      "2 metric",
      "2 run_id",
      "3 timestamp",
      "3 step",
      "4 status",
    ]);
    expect(body.details.errors[1]?.message).toBe(
      'expected a number or "NaN", "Infinity", "-Infinity", got null (JSON.stringify writes NaN as null: send the string "NaN")',
    );
    expect(body.details.errors[2]?.message).toBe('unknown field (did you mean "metrics"?)');
    expect(body.details.errors[4]?.message).toBe(
      "expected seconds since the epoch, got 1714564800000 (milliseconds? divide by 1000)",
    );
    const text = await scrape(url);
    expect(sampleValue(text, `aiwatch_training_loss{${RUN},phase="train"}`)).toBe(1.5);
    expect(
      sampleValue(
        text,
        'aiwatch_exporter_rejected_records_total{collector="training",reason="invalid_record"}',
      ),
    ).toBe(4);
  });

  it("takes metric names like toString, constructor and __proto__ as plain names", async () => {
    const url = await start();
    // A string body: an object literal's __proto__ key would set the prototype instead.
    const body =
      '[{"run_id": "r-1", "job_name": "llama-ft", "step": 1, "metrics": {"loss": 1}},' +
      ' {"run_id": "r-1", "job_name": "llama-ft", "step": 2, "metrics": {"toString": 1,' +
      ' "constructor": 2, "__proto__": 3, "constructor_loss": 4, "hasOwnProperty": 5}},' +
      ' {"run_id": "r-1", "job_name": "llama-ft", "step": 3, "metrics": {"loss": 0.5}}]';
    const response = await postJson(events(url), body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "success",
      data: { received: 3, accepted: 3 },
    });
    const text = await scrape(url);
    const other = (name: string) =>
      sampleValue(text, `aiwatch_training_metric{${RUN},metric="${name}"}`);
    expect([other("toString"), other("constructor"), other("__proto__")]).toEqual([1, 2, 3]);
    expect(other("hasOwnProperty")).toBe(5);
    expect(sampleValue(text, `aiwatch_training_loss{${RUN},phase="constructor"}`)).toBe(4);
    expect(sampleValue(text, `aiwatch_training_loss{${RUN},phase="train"}`)).toBe(0.5);
    expect(sampleValue(text, `aiwatch_training_step{${RUN}}`)).toBe(3);
  });

  it("refuses a body that is not a batch, and a batch over the record limit, applying nothing", async () => {
    const url = await start();
    expect((await postJson(events(url), "42")).status).toBe(400);
    const record = { run_id: "r-1", job_name: "llama-ft", step: 1, metrics: { loss: 1 } };
    const tooMany = await postJson(
      events(url),
      Array.from({ length: 6 }, () => record),
    );
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as { errorType: string }).errorType).toBe("too-many-records");
    expect(await scrape(url)).not.toContain("aiwatch_training_loss");
  });

  it("keeps each rank of a run as a run of its own, labelled rank, counted by max_runs", async () => {
    const url = await start("    max_runs: 3\n");
    const record = (rank: number | undefined, step: number, loss: number) => ({
      run_id: "r-1",
      job_name: "llama-ft",
      ...(rank === undefined ? {} : { rank }),
      step,
      metrics: { loss, grad_norm: loss * 2 },
    });
    const response = await postJson(events(url), [
      record(0, 10, 2.5),
      record(1, 10, 2.75),
      record(undefined, 10, 3),
      record(1, 11, 2.5),
    ]);
    expect(await response.json()).toEqual({
      status: "success",
      data: { received: 4, accepted: 4 },
    });
    // Rank 1 finishes; rank 0 is still running.
    await postJson(events(url), {
      run_id: "r-1",
      job_name: "llama-ft",
      rank: 1,
      status: "finished",
    });
    const refused = await postJson(events(url), [
      record(2, 10, 2.5),
      { run_id: "r-1", job_name: "llama-ft", rank: -1, step: 1, metrics: { loss: 1 } },
      { run_id: "r-1", job_name: "llama-ft", rank: "1", step: 1, metrics: { loss: 1 } },
      { run_id: "r-1", job_name: "llama-ft", rank: 2 ** 31, step: 1, metrics: { loss: 1 } },
    ]);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as {
      details: { errors: { index: number; field: string; message: string }[] };
    };
    expect(body.details.errors).toEqual([
      {
        index: 0,
        field: "run_id",
        message:
          'the exporter already tracks its maximum number of runs (each rank counts); run "r-1" rank 2 was not created',
      },
      { index: 1, field: "rank", message: "expected a non-negative integer, got number -1" },
      { index: 2, field: "rank", message: 'expected a non-negative integer, got "1"' },
      {
        index: 3,
        field: "rank",
        message: "expected a process rank from 0 to 2147483647, got 2147483648",
      },
    ]);
    const text = await scrape(url);
    const loss = (labels: string) =>
      sampleValue(text, `aiwatch_training_loss{${labels},phase="train"}`);
    expect(loss(`${RUN},rank="0"`)).toBe(2.5);
    expect(loss(`${RUN},rank="1"`)).toBe(2.5);
    // No rank: the series a single process always had, without an empty rank label.
    expect(loss(RUN)).toBe(3);
    expect(text).not.toContain('rank=""');
    expect(sampleValue(text, `aiwatch_training_grad_norm{${RUN},rank="1"}`)).toBe(5);
    expect(sampleValue(text, `aiwatch_training_step{${RUN},rank="1"}`)).toBe(11);
    expect(sampleValue(text, `aiwatch_training_step{${RUN},rank="0"}`)).toBe(10);
    const status = (labels: string, s: string) =>
      sampleValue(text, `aiwatch_training_run_status{${labels},status="${s}"}`);
    expect(status(`${RUN},rank="1"`, "finished")).toBe(1);
    expect(status(`${RUN},rank="0"`, "running")).toBe(1);
    expect(status(RUN, "running")).toBe(1);
    expect(sampleValue(text, 'aiwatch_training_runs{status="running"}')).toBe(2);
    expect(
      sampleValue(
        text,
        'aiwatch_exporter_rejected_records_total{collector="training",reason="invalid_record"}',
      ),
    ).toBe(3);
    expect(
      sampleValue(
        text,
        'aiwatch_exporter_rejected_records_total{collector="training",reason="run_limit"}',
      ),
    ).toBe(1);
  });

  it("requires credentials", async () => {
    const url = await start();
    const response = await postJson(events(url), [], "wrong");
    expect(response.status).toBe(401);
  });

  it("marks a run finished on a status record", async () => {
    const url = await start();
    await postJson(events(url), {
      run_id: "r-1",
      job_name: "llama-ft",
      step: 5,
      metrics: { loss: 1 },
    });
    expect(
      (await postJson(events(url), { run_id: "r-1", job_name: "llama-ft", status: "finished" }))
        .status,
    ).toBe(200);
    const text = await scrape(url);
    expect(sampleValue(text, `aiwatch_training_run_status{${RUN},status="finished"}`)).toBe(1);
    expect(sampleValue(text, `aiwatch_training_run_status{${RUN},status="running"}`)).toBe(0);
  });
});
