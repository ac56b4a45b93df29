import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSpecContext as buildSpecContext } from "../../../webhook-receiver/config/compile-spec-context.js";
import type { AnalysisConfig } from "../../../webhook-receiver/evidence/analysis-config.js";
import { ConcurrencyLimit } from "../../../webhook-receiver/evidence/concurrency-limit.js";
import { gatherEvidence } from "../../../webhook-receiver/evidence/gather-evidence.js";
import { prometheusApi } from "../../../webhook-receiver/evidence/prometheus-api.js";
import type { PrometheusApi } from "../../../webhook-receiver/evidence/prometheus-api.js";
import { DEFAULT_PRIORS } from "../../../webhook-receiver/evidence/priors.js";
import { DEFAULT_SCORING, decideVerdict } from "../../../webhook-receiver/evidence/scoring.js";
import { DEFAULT_TOPOLOGY } from "../../../webhook-receiver/evidence/topology.js";
import { requireBinaries } from "../../support/binaries.js";
import { freePort } from "../../support/free-port.js";
import { startProcess } from "../../support/managed-process.js";
import type { ManagedProcess } from "../../support/managed-process.js";
import { makeTempDir } from "../../support/temp-dir.js";
import type { TempDir } from "../../support/temp-dir.js";
import { SCENARIO_SPEC, startScenarioFleet } from "../../support/training-scenario.js";
import type { ScenarioFleet } from "../../support/training-scenario.js";
import { waitFor } from "../../support/wait-for.js";

/**
 * The evidence queries are plain Prometheus HTTP API: the same analysis against
 * VictoriaMetrics (Debian's `victoria-metrics`, scraping the targets itself) reaches the
 * same verdict for a learning-rate change.
 */
const binaries = requireBinaries("victoria-metrics");

describe.skipIf(!binaries.available)("evidence from VictoriaMetrics", () => {
  let dir: TempDir;
  let fleet: ScenarioFleet;
  let vm: ManagedProcess;
  let url: string;
  let api: PrometheusApi;
  const count = async (expr: string): Promise<number> => {
    const series = await api.query(expr, Date.now(), AbortSignal.timeout(5000));
    return series[0]?.samples[0]?.v ?? 0;
  };

  beforeAll(async () => {
    dir = makeTempDir("rca-vm");
    fleet = await startScenarioFleet(["c"]);
    const config = join(dir.path, "scrape.yml");
    writeFileSync(config, `global: { scrape_interval: 1s }\n${fleet.scrapeConfigs()}\n`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    vm = startProcess(binaries.paths["victoria-metrics"], [
      `-storageDataPath=${join(dir.path, "vm")}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      `-promscrape.config=${config}`,
      // Show samples as soon as they are stored (by default the last 30s are hidden).
      "-search.latencyOffset=0s",
      "-loggerLevel=ERROR",
    ]);
    await waitFor("VictoriaMetrics to be healthy", async () =>
      (await fetch(`${url}/health`)).ok ? true : undefined,
    );
    api = prometheusApi({ url, headers: {} }, 5000);
  });

  afterAll(async () => {
    await vm?.stop();
    await fleet?.close();
    dir?.remove();
  });

  it("names the model layer with the learning-rate change first", async () => {
    await waitFor(
      "a baseline of learning-rate samples",
      async () =>
        (await count("count_over_time(aiwatch_training_learning_rate[1m])")) >= 12
          ? true
          : undefined,
      { timeoutMs: 60_000, pollMs: 500 },
    );
    const run = fleet.runs[0];
    if (!run) throw new Error("no run");
    run.learningRate = 0.001;
    await waitFor(
      "the change and a few samples after it",
      async () =>
        (await count("count_over_time((aiwatch_training_learning_rate > 0.0005)[1m:1s])")) >= 3
          ? true
          : undefined,
      { timeoutMs: 30_000, pollMs: 250 },
    );
    const built = buildSpecContext([
      { file: "rca.yaml", text: SCENARIO_SPEC, displayName: "rca.yaml" },
    ]);
    if (!built.ok) throw new Error("spec");
    const monitor = built.context.monitors.get("training-loss-spike");
    const config: AnalysisConfig = {
      spec: built.context,
      prometheus: { url, headers: {} },
      alertmanager: undefined,
      links: { prometheus: url },
      queryTimeoutMs: 5000,
      maxConcurrency: 4,
      lookbackMs: 30_000,
      horizonMs: 10_000,
      defaultStepMs: 1000,
      cacheTtlMs: 0,
      followUpForMs: 0,
      topology: DEFAULT_TOPOLOGY,
      scoring: { ...DEFAULT_SCORING, toleranceMs: 2000 },
      priors: DEFAULT_PRIORS,
    };
    const labels = {
      alertname: "TrainingLossSpike",
      monitor: "training-loss-spike",
      layer: "model",
      severity: "warning",
      run_id: run.runId,
      job_name: run.jobName,
    };
    const evidence = await gatherEvidence(
      {
        alert: {
          status: "firing",
          labels,
          annotations: {},
          startsAt: new Date(Date.now() + 1000).toISOString(),
          fingerprint: "f",
        },
        monitor,
        groupFingerprints: new Set(["f"]),
      },
      config,
      {
        prometheus: api,
        alertmanager: undefined,
        limit: new ConcurrencyLimit(4),
        onQuery: () => undefined,
      },
      Date.now(),
      AbortSignal.timeout(20_000),
    );
    expect(evidence.notes).toEqual([]);
    expect(evidence.signal?.samples.length).toBeGreaterThan(10);
    const verdict = decideVerdict(evidence.observations, evidence.window, config.scoring);
    expect(verdict.layer).toBe("model");
    expect(verdict.evidence[0]?.observation).toMatchObject({
      monitor: "learning-rate-changed",
      labels: { run_id: run.runId },
    });
    // Drift (joined through the run's `model` target label) was read too, and is quiet.
    expect(
      evidence.observations.filter((o) => o.monitor === "feature-drift").map((o) => o.labels),
    ).toEqual([
      { feature: "age", model: run.model },
      { feature: "income", model: run.model },
    ]);
  });
});
