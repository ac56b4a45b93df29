import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ExpositionRegistry } from "../../../exporters/exposition/exposition-registry.js";
import { createGroundTruthFamilies } from "../../../exporters/inference/ground-truth/ground-truth-families.js";
import { GroundTruthStore } from "../../../exporters/inference/ground-truth/ground-truth-store.js";
import type { GroundTruthOptions } from "../../../exporters/inference/ground-truth/ground-truth-store.js";
import type { RunningExporter } from "../../../exporters/process/run-exporter.js";
import { makeTempDir } from "../../support/temp-dir.js";
import {
  AUTH_CONFIG,
  postJson,
  sampleValue,
  scrape,
  startTestExporter,
} from "../training/exporter-harness.js";

function store(options: Partial<GroundTruthOptions> = {}) {
  const clock = { ms: 1_700_000_000_000 };
  const registry = new ExpositionRegistry(
    () => 1000,
    () => undefined,
  );
  const s = new GroundTruthStore(
    createGroundTruthFamilies(registry.scope("inference")),
    { ttlMs: 60_000, maxPending: 100, maxModels: 10, numericTolerance: 0, ...options },
    () => clock.ms,
  );
  const value = (selector: string) => sampleValue(registry.renderText(), selector);
  return { store: s, clock, value };
}

const M = 'model="churn",model_version="v3"';

describe("the ground-truth join", () => {
  it("counts labelled and correct predictions and observes the label delay", () => {
    const { store: s, clock, value } = store();
    s.predict({ id: "a", model: "churn", modelVersion: "v3", predicted: "yes" });
    s.predict({ id: "b", model: "churn", modelVersion: "v3", predicted: 1 });
    s.predict({
      id: "c",
      model: "churn",
      modelVersion: "v3",
      predicted: true,
      timestampSeconds: 1_699_999_000,
    });
    expect(value(`aiwatch_inference_predictions_pending{${M}}`)).toBe(3);
    clock.ms += 30_000;
    expect(s.label({ id: "a", actual: "yes" })).toBe(true);
    expect(s.label({ id: "b", actual: 2 })).toBe(true);
    expect(s.label({ id: "c", actual: "true" })).toBe(true);
    expect(s.label({ id: "a", actual: "yes" })).toBe(false);
    expect(value(`aiwatch_inference_predictions_total{${M}}`)).toBe(3);
    expect(value(`aiwatch_inference_predictions_labelled_total{${M}}`)).toBe(3);
    expect(value(`aiwatch_inference_predictions_correct_total{${M}}`)).toBe(2);
    expect(value(`aiwatch_inference_label_delay_seconds_sum{${M}}`)).toBe(30 + 30 + 1030);
    expect(value(`aiwatch_inference_label_delay_seconds_bucket{${M},le="60"}`)).toBe(2);
    expect(value("aiwatch_inference_labels_unmatched_total")).toBe(1);
    expect(value(`aiwatch_inference_predictions_pending{${M}}`)).toBe(0);
  });

  it("matches numbers within the tolerance", () => {
    const { store: s, value } = store({ numericTolerance: 0.5 });
    s.predict({ id: "a", model: "churn", modelVersion: "v3", predicted: 10 });
    s.label({ id: "a", actual: 10.4 });
    expect(value(`aiwatch_inference_predictions_correct_total{${M}}`)).toBe(1);
  });

  it("expires unlabelled predictions after the TTL and evicts the oldest beyond the cap, counting both", () => {
    const { store: s, clock, value } = store({ maxPending: 2 });
    s.predict({ id: "a", model: "churn", modelVersion: "v3", predicted: "x" });
    clock.ms += 10_000;
    s.predict({ id: "b", model: "churn", modelVersion: "v3", predicted: "x" });
    s.predict({ id: "c", model: "churn", modelVersion: "v3", predicted: "x" });
    expect(value(`aiwatch_inference_predictions_evicted_total{${M}}`)).toBe(1);
    expect(s.label({ id: "a", actual: "x" })).toBe(false);
    clock.ms += 50_000;
    expect(s.sweep()).toBe(0);
    clock.ms += 10_000;
    expect(s.sweep()).toBe(2);
    expect(value(`aiwatch_inference_predictions_expired_total{${M}}`)).toBe(2);
    expect(s.size).toBe(0);
  });

  it("treats a resent prediction as a retry and a different one with the same id as a conflict", () => {
    const { store: s, value } = store({ maxModels: 1 });
    const p = { id: "a", model: "churn", modelVersion: "v3", predicted: "x" };
    expect(s.predict(p)).toBe("recorded");
    expect(s.predict(p)).toBe("duplicate");
    expect(s.predict({ ...p, predicted: "y" })).toBe("conflict");
    expect(s.predict({ ...p, id: "b", modelVersion: "v4" })).toBe("model_limit");
    expect(value(`aiwatch_inference_predictions_total{${M}}`)).toBe(1);
  });
});

const temp = makeTempDir("ground-truth");
let exporter: RunningExporter | undefined;
afterEach(async () => {
  await exporter?.stop();
  exporter = undefined;
});
afterAll(() => temp.remove());

describe("the ground-truth API", () => {
  it("takes predictions, then labels, with per-record errors", async () => {
    exporter = await startTestExporter(temp.path, `${AUTH_CONFIG}collectors:\n  inference: {}\n`);
    const url = exporter.url;
    const predictions = await postJson(`${url}/api/v1/inference/predictions`, [
      { id: "p1", model: "churn", model_version: "v3", predicted: "yes", timestamp: 1714564800 },
      { id: "p2", model: "churn", model_version: "v3", predicted: "no" },
      { id: "p3", model: "churn", predicted: { label: "no" } },
    ]);
    expect(predictions.status).toBe(400);
    const refused = (await predictions.json()) as {
      details: { accepted: number; errors: { index: number; field: string }[] };
    };
    expect(refused.details.accepted).toBe(2);
    expect(refused.details.errors).toEqual([
      {
        index: 2,
        field: "predicted",
        message:
          "expected a class name (string of at most 1024 characters), a finite number or a boolean, got a mapping",
      },
    ]);
    const labels = await postJson(`${url}/api/v1/inference/labels`, [
      { id: "p1", actual: "yes", timestamp: 1714568400 },
      { id: "p2", actual: "yes" },
      { id: "unknown", actual: "no" },
    ]);
    expect(labels.status).toBe(200);
    expect(await labels.json()).toEqual({
      status: "success",
      data: { received: 3, accepted: 3, unmatched: 1 },
    });
    const text = await scrape(url);
    expect(sampleValue(text, `aiwatch_inference_predictions_labelled_total{${M}}`)).toBe(2);
    expect(sampleValue(text, `aiwatch_inference_predictions_correct_total{${M}}`)).toBe(1);
    expect(sampleValue(text, `aiwatch_inference_label_delay_seconds_bucket{${M},le="1800"}`)).toBe(
      1,
    );
    expect(
      sampleValue(
        text,
        'aiwatch_exporter_rejected_records_total{collector="inference",reason="invalid_record"}',
      ),
    ).toBe(1);
  });
});
