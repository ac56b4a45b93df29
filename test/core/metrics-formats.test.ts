import { writeFileSync } from "node:fs";
import { join } from "node:path";
import client from "prom-client";
import type { OpenMetricsContentType } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { registerBuildInfo } from "../../core/metrics/build-info.js";
import { createMetricsRegistry } from "../../core/metrics/metrics-registry.js";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { runProcess } from "../../core/run-process.js";
import { ReceiverMetrics } from "../../webhook-receiver/server/receiver-metrics.js";
import {
  AUTH_CONFIG,
  postJson,
  startTestExporter,
} from "../exporters/training/exporter-harness.js";
import { requireBinaries } from "../support/binaries.js";
import { makeTempDir } from "../support/temp-dir.js";

const temp = makeTempDir("metrics-formats");
afterAll(() => temp.remove());
const OPEN_METRICS = "application/openmetrics-text; version=1.0.0";

/** One of each prom-client type, with values, registered in `registers`. */
function sampleMetrics(registers: client.Registry<never>[] | MetricsRegistry["registers"]): void {
  const counter = new client.Counter({
    name: "aiwatch_test_events_total",
    help: 'Events, "quoted" and \\ escaped.',
    labelNames: ["kind"],
    registers,
  });
  counter.inc({ kind: "a" }, 3);
  counter.inc({ kind: 'b"\n' });
  new client.Counter({
    name: "aiwatch_test_untouched_total",
    help: "Never incremented.",
    registers,
  });
  new client.Gauge({ name: "aiwatch_test_level_ratio", help: "A gauge.", registers }).set(0.5);
  const histogram = new client.Histogram({
    name: "aiwatch_test_duration_seconds",
    help: "A histogram.",
    buckets: [0.1, 1],
    registers,
  });
  histogram.observe(0.5);
  histogram.observe(5);
  const summary = new client.Summary({
    name: "aiwatch_test_size_bytes",
    help: "A summary.",
    percentiles: [0.5],
    registers,
  });
  summary.observe(10);
}

describe("a process registry's two formats", () => {
  it("renders OpenMetrics exactly as prom-client's own OpenMetrics registry does", async () => {
    const ours = createMetricsRegistry();
    sampleMetrics(ours.registers);
    const reference = new client.Registry<OpenMetricsContentType>();
    reference.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
    sampleMetrics([reference as client.Registry<never>]);
    expect(await ours.openMetrics.metrics()).toBe(await reference.metrics());
    expect(ours.openMetrics.contentType).toBe(client.Registry.OPENMETRICS_CONTENT_TYPE);
  });

  it("keeps counters' _total in the text format after an OpenMetrics render", async () => {
    const metrics = createMetricsRegistry();
    sampleMetrics(metrics.registers);
    const before = await metrics.text.metrics();
    await metrics.openMetrics.metrics();
    await metrics.openMetrics.metrics();
    const after = await metrics.text.metrics();
    expect(after).toBe(before);
    expect(after).toContain('aiwatch_test_events_total{kind="a"} 3');
    expect(after).toContain("# TYPE aiwatch_test_events_total counter");
  });
});

const { available, paths } = requireBinaries("promtool");

async function promtoolCheck(text: string, name: string): Promise<string> {
  const file = join(temp.path, name);
  writeFileSync(file, text);
  const result = await runProcess("sh", ["-c", `${paths.promtool} check metrics < ${file}`]);
  return (
    `${result.stdout}${result.stderr}`.trim() +
    (result.exitCode === 0 ? "" : ` exit ${result.exitCode}`)
  );
}

describe.skipIf(!available)(
  "text after an OpenMetrics scrape, under promtool check metrics",
  () => {
    it("is lint-clean for the webhook receiver's registry", async () => {
      const registry = createMetricsRegistry();
      registerBuildInfo(registry, "webhook-receiver", "0.0.0-test");
      const empty = { pending: new Map(), dead: new Map(), oldestPendingSeconds: new Map() };
      const metrics = new ReceiverMetrics(
        registry,
        () => Promise.resolve(empty),
        () => ["chat"],
      );
      metrics.deliveries.inc({ destination: "chat", type: "slack", outcome: "delivered" });
      metrics.acceptDuration.observe(0.002);
      const om = await registry.openMetrics.metrics();
      expect(om).toContain('aiwatch_receiver_notifications_total{result="accepted"} 0');
      const text = await registry.text.metrics();
      expect(text).toContain('aiwatch_receiver_notifications_total{result="accepted"} 0');
      expect(await promtoolCheck(text, "receiver.txt")).toBe("");
    });

    it("is lint-clean for the exporter", async () => {
      const exporter = await startTestExporter(
        temp.path,
        `${AUTH_CONFIG}collectors:\n  training: {}\n`,
      );
      try {
        await postJson(`${exporter.url}/api/v1/training/events`, [
          { run_id: "r", step: 1, metrics: { loss: 1 } },
        ]);
        const om = await (
          await fetch(`${exporter.url}/metrics`, { headers: { accept: OPEN_METRICS } })
        ).text();
        expect(om).toContain("# TYPE aiwatch_config_reloads counter");
        const text = await (await fetch(`${exporter.url}/metrics`)).text();
        expect(text).toContain("# TYPE aiwatch_config_reloads_total counter");
        expect(await promtoolCheck(text, "exporter.txt")).toBe("");
      } finally {
        await exporter.stop();
      }
    });
  },
);
