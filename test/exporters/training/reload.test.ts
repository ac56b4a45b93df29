import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../support/temp-dir.js";
import {
  AUTH_CONFIG,
  postJson,
  sampleValue,
  scrape,
  startTestExporter,
} from "./exporter-harness.js";

const temp = makeTempDir("collector-reload");
afterAll(() => temp.remove());

describe("reloading the exporter", () => {
  it("keeps the training runs when only the inference section changes", async () => {
    const exporter = await startTestExporter(
      temp.path,
      `${AUTH_CONFIG}collectors:\n  training: {}\n  inference: {}\n`,
    );
    try {
      await postJson(`${exporter.url}/api/v1/training/events`, {
        run_id: "r",
        job_name: "j",
        step: 3,
        metrics: { loss: 0.5 },
      });
      writeFileSync(
        join(temp.path, "exporter.yaml"),
        `${AUTH_CONFIG}collectors:\n  training: {}\n  inference: { ground_truth: { ttl: 1h } }\n`,
      );
      expect((await exporter.reload()).ok).toBe(true);
      const text = await scrape(exporter.url);
      expect(
        sampleValue(text, 'aiwatch_training_loss{run_id="r",job_name="j",phase="train"}'),
      ).toBe(0.5);
      expect(sampleValue(text, 'aiwatch_exporter_collector_up{collector="inference"}')).toBe(1);
    } finally {
      await exporter.stop();
    }
  });
});
