import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpecs } from "../../rulegen/compile.js";
import { requireBinaries } from "../support/binaries.js";
import { startMetricsTarget } from "../support/metrics-target.js";
import type { MetricsTarget } from "../support/metrics-target.js";
import { startPrometheus } from "../support/prometheus-process.js";
import type { PrometheusInstance } from "../support/prometheus-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The compiled rules running in a real Prometheus 2.42: a target exposes a training loss
 * the test controls; the alerts must reach `firing` after the anomaly and not before.
 * Intervals are shrunk to one second so the 20s zscore window fills quickly.
 */
const SPEC = `
version: aiwatch/v1
name: e2e
defaults: { scrape_interval: 1s, evaluation_interval: 1s, runbook_base_url: https://runbooks.example.com }
monitors:
  - name: loss-spike
    layer: model
    signal: aiwatch_training_loss{phase="train"}
    by: [run_id]
    detector: { type: zscore, window: 20s, threshold: 4, direction: up }
    for: 2s
  - name: loss-too-high
    layer: model
    signal: aiwatch_training_loss{phase="train"}
    by: [run_id]
    detector: { type: threshold, above: 5 }
    for: 3s
`;

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
}

const { available, paths } = requireBinaries("prometheus");
const temp = makeTempDir("prom-e2e");
let target: MetricsTarget;
let prometheus: PrometheusInstance;
let loss = (scrape: number): number => (scrape % 2 === 0 ? 1.0 : 1.2);

const alertsNamed = async (name: string): Promise<ApiAlert[]> =>
  (await prometheus.api<{ alerts: ApiAlert[] }>("alerts")).alerts.filter(
    (a) => a.labels["alertname"] === name,
  );

describe.skipIf(!available)("compiled rules in a real Prometheus", () => {
  beforeAll(async () => {
    const result = compileSpecs([{ file: "e2e.yaml", text: SPEC, displayName: "e2e.yaml" }]);
    expect(result.diagnostics).toEqual([]);
    const rules = result.specs[0]?.files.find((f) => f.name.endsWith(".rules.yml"));
    writeFileSync(join(temp.path, "e2e.rules.yml"), rules?.content ?? "");
    target = await startMetricsTarget(
      (scrape) => `aiwatch_training_loss{phase="train",run_id="r-17"} ${loss(scrape)}\n`,
    );
    prometheus = await startPrometheus({
      binary: paths.prometheus,
      dir: temp.path,
      config: [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        `rule_files: [${JSON.stringify(join(temp.path, "e2e.rules.yml"))}]`,
        "scrape_configs:",
        `  - { job_name: trainer, static_configs: [{ targets: ["${target.address}"] }] }`,
        "",
      ].join("\n"),
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await target?.close();
    temp.remove();
  });

  it("stays quiet while the baseline fills and on normal noise", async () => {
    // The baseline mean is recorded only once the window holds enough data (warm-up).
    const mean = 'run_id:aiwatch_training_loss:avg20s{monitor="loss-spike"}';
    await waitFor(
      "the zscore baseline to cover its window",
      async () => {
        const data = await prometheus.api<{ result: unknown[] }>(
          `query?query=${encodeURIComponent(mean)}`,
        );
        return data.result.length > 0 ? true : undefined;
      },
      { timeoutMs: 90_000, pollMs: 500 },
    );
    // Let several evaluations pass on normal data with a full baseline.
    const seen = target.scrapes();
    await waitFor("five more scrapes", () => (target.scrapes() >= seen + 5 ? true : undefined), {
      timeoutMs: 20_000,
    });
    expect(await alertsNamed("LossSpike")).toEqual([]);
    expect(await alertsNamed("LossTooHigh")).toEqual([]);
  });

  it("fires the zscore alert after a loss spike, with its labels and annotations", async () => {
    loss = () => 3;
    const firing = await waitFor(
      "LossSpike to fire",
      async () => (await alertsNamed("LossSpike")).find((a) => a.state === "firing"),
      { timeoutMs: 30_000, pollMs: 250 },
    );
    expect(firing.labels).toMatchObject({
      alertname: "LossSpike",
      run_id: "r-17",
      severity: "warning",
      monitor: "loss-spike",
      layer: "model",
    });
    const summary = /^Loss spike: ([\d.]+) above the 20s baseline on run_id=r-17$/.exec(
      firing.annotations["summary"] ?? "",
    );
    // $value is the loss's distance above its baseline mean: 3 against a mean of 1.1.
    expect(Number(summary?.[1])).toBeCloseTo(1.9, 1);
    expect(firing.annotations["runbook_url"]).toBe("https://runbooks.example.com/loss-spike");
    expect(await alertsNamed("LossTooHigh")).toEqual([]);
  });

  it("fires the threshold alert once the loss crosses it for `for`", async () => {
    loss = () => 6;
    const firing = await waitFor(
      "LossTooHigh to fire",
      async () => (await alertsNamed("LossTooHigh")).find((a) => a.state === "firing"),
      { timeoutMs: 30_000, pollMs: 250 },
    );
    expect(firing.annotations["summary"]).toBe("Loss too high: 6 is above 5 on run_id=r-17");
  });
});
