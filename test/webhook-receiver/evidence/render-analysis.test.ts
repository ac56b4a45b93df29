import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSpecContext as buildSpecContext } from "../../../webhook-receiver/config/compile-spec-context.js";
import type { ActionOutcome } from "../../../webhook-receiver/actions/action-config.js";
import { builtinTemplates } from "../../../webhook-receiver/config/load-config.js";
import { consoleDestination } from "../../../webhook-receiver/destinations/console.js";
import { dingTalkDestination } from "../../../webhook-receiver/destinations/dingtalk.js";
import { slackDestination } from "../../../webhook-receiver/destinations/slack.js";
import type { Destination } from "../../../webhook-receiver/destinations/destination.js";
import type { AnalysisConfig } from "../../../webhook-receiver/evidence/analysis-config.js";
import type { GatheredEvidence } from "../../../webhook-receiver/evidence/gather-evidence.js";
import { ownCauseOf } from "../../../webhook-receiver/evidence/observations.js";
import {
  DEFAULT_PRIORS,
  NEUTRAL_PRIOR,
  priorFor,
} from "../../../webhook-receiver/evidence/priors.js";
import {
  notEnrichedEnrichment,
  renderAnalysis,
} from "../../../webhook-receiver/evidence/render-analysis.js";
import { DEFAULT_SCORING, decideVerdict } from "../../../webhook-receiver/evidence/scoring.js";
import type { Observation } from "../../../webhook-receiver/evidence/scoring.js";
import type { Sample } from "../../../webhook-receiver/evidence/series.js";
import { DEFAULT_TOPOLOGY } from "../../../webhook-receiver/evidence/topology.js";
import type { Alert } from "../../../webhook-receiver/payload/notification.js";
import { renderMessage } from "../../../webhook-receiver/render/render-message.js";
import { captureEvidence } from "../../../webhook-receiver/incidents/capture-evidence.js";
import { expectGolden } from "../../support/golden.js";
import { notification } from "../sample-notifications.js";

/**
 * The worked example of the README, rendered by the real code: run r-17's loss spikes at
 * 10:30; its model's `age` feature drifted from 10:18; its node's GPU is quiet; the
 * learning rate is flat; DataNullRateHigh fires on the same model. Golden per flavour.
 */
const SPEC = `version: aiwatch/v1
defaults: { scrape_interval: 15s, evaluation_interval: 1m, runbook_base_url: https://runbooks.example.com }
monitors:
  - { name: training-loss-spike, layer: model, signal: 'aiwatch_training_loss{phase="train"}', by: [run_id, job_name], detector: { type: zscore, window: 1h, threshold: 4, direction: up }, for: 3m, related: [feature-drift, gpu-xid-errors, learning-rate-changed, data-null-rate-high] }
  - { name: feature-drift, layer: data, signal: 'aiwatch_data_drift_score{method="psi"}', by: [model, feature], aggregation: max, detector: { type: threshold, above: 0.2 }, for: 10m }
  - { name: data-null-rate-high, layer: data, signal: aiwatch_data_null_ratio, by: [model], unit: ratio, detector: { type: threshold, above: 0.05 } }
  - { name: gpu-xid-errors, layer: environment, signal: aiwatch_gpu_xid_events_total, by: [instance, gpu, uuid], detector: { type: increase, window: 15m } }
  - { name: learning-rate-changed, layer: model, signal: aiwatch_training_learning_rate, by: [run_id, job_name], detector: { type: zscore, window: 30m, threshold: 6 } }
`;
const built = buildSpecContext([{ file: "aiwatch.yaml", text: SPEC, displayName: "aiwatch.yaml" }]);
if (!built.ok) throw new Error("spec");
const spec = built.context;
const monitor = (name: string) => {
  const m = spec.monitors.get(name);
  if (!m) throw new Error(name);
  return m;
};

const T0 = Date.parse("2026-11-22T10:27:00Z"); // startsAt 10:30 less `for` 3m
const MIN = 60_000;
const STEP = 15_000;
function samples(value: (minutesFromOnset: number, i: number) => number): Sample[] {
  const out: Sample[] = [];
  for (let t = T0 - 60 * MIN, i = 0; t <= T0 + 4 * MIN; t += STEP, i++)
    out.push({ t, v: value((t - T0) / MIN, i) });
  return out;
}
const noise = (i: number, size: number) => ((i * 7) % 5) * size - 2 * size;

const window = {
  startMs: T0 - 60 * MIN,
  baselineEndMs: T0 - 30 * MIN,
  onsetMs: T0,
  endMs: T0 + 4 * MIN,
  stepMs: STEP,
};
const observations: Observation[] = [
  {
    monitor: "feature-drift",
    layer: "data",
    alertName: "FeatureDrift",
    labels: { model: "fraud", feature: "age" },
    locality: { locality: "workload", kind: "model", label: "model", value: "fraud" },
    valueKind: "gauge",
    values: samples((m, i) => (m >= -9 ? 0.41 : 0.06) + noise(i, 0.005)),
    firingSince: T0 + MIN,
    prior: NEUTRAL_PRIOR,
    query: 'max by (model, feature) (aiwatch_data_drift_score{method="psi", model="fraud"})',
  },
  {
    monitor: "feature-drift",
    layer: "data",
    alertName: "FeatureDrift",
    labels: { model: "fraud", feature: "income" },
    locality: { locality: "workload", kind: "model", label: "model", value: "fraud" },
    valueKind: "gauge",
    values: samples((_m, i) => 0.05 + noise(i, 0.005)),
    prior: NEUTRAL_PRIOR,
    query: 'max by (model, feature) (aiwatch_data_drift_score{method="psi", model="fraud"})',
  },
  {
    monitor: "data-null-rate-high",
    layer: "data",
    alertName: "DataNullRateHigh",
    labels: { model: "fraud" },
    locality: { locality: "workload", kind: "model", label: "model", value: "fraud" },
    valueKind: "gauge",
    unit: "ratio",
    values: samples((m, i) => (m >= -6 ? 0.09 : 0.01) + noise(i, 0.001)),
    firingSince: T0 - 2 * MIN,
    prior: NEUTRAL_PRIOR,
    query: 'avg by (model) (aiwatch_data_null_ratio{model="fraud"})',
  },
  {
    monitor: "gpu-xid-errors",
    layer: "environment",
    alertName: "GpuXidErrors",
    labels: { instance: "node-7:9401", gpu: "3", uuid: "GPU-5f2c9a" },
    locality: { locality: "node", kind: "node", label: "instance", value: "node-7:9401" },
    valueKind: "counter",
    values: samples(() => 0),
    prior: priorFor(monitor("gpu-xid-errors"), [], DEFAULT_PRIORS),
    query: 'sum by (instance, gpu, uuid) (aiwatch_gpu_xid_events_total{instance="node-7:9401"})',
  },
  {
    monitor: "learning-rate-changed",
    layer: "model",
    alertName: "LearningRateChanged",
    labels: { run_id: "r-17", job_name: "finetune" },
    locality: { locality: "workload", kind: "run", label: "run_id", value: "r-17" },
    valueKind: "gauge",
    values: samples(() => 0.0002),
    prior: NEUTRAL_PRIOR,
    query: 'avg by (run_id, job_name) (aiwatch_training_learning_rate{run_id="r-17"})',
  },
];

const alert: Alert = {
  status: "firing",
  labels: {
    alertname: "TrainingLossSpike",
    monitor: "training-loss-spike",
    layer: "model",
    severity: "critical",
    run_id: "r-17",
    job_name: "finetune",
  },
  annotations: {
    summary: "Training loss spike: 9.1 standard deviations above the 1h baseline on run_id=r-17",
  },
  startsAt: "2026-11-22T10:30:00.000Z",
  fingerprint: "5b1a2e7d0c3f4a19",
};

const evidence: GatheredEvidence = {
  window,
  context: new Map(),
  signal: {
    query:
      'avg by (run_id, job_name) (aiwatch_training_loss{phase="train", job_name="finetune", run_id="r-17"})',
    labels: { run_id: "r-17", job_name: "finetune" },
    samples: samples((m, i) => (m >= 0 ? 3.4 : 1.2 - m * 0.002) + noise(i, 0.02)),
    valueKind: "gauge",
  },
  observations,
  checked: ["data-null-rate-high", "feature-drift", "gpu-xid-errors", "learning-rate-changed"],
  unlinked: [],
  siblings: [
    {
      alertName: "DataNullRateHigh",
      labels: {
        alertname: "DataNullRateHigh",
        model: "fraud",
        layer: "data",
        monitor: "data-null-rate-high",
      },
      startsAt: T0 - 2 * MIN,
      match: { locality: "workload", kind: "model", label: "model", value: "fraud" },
      layer: "data",
    },
  ],
  notes: [],
};
const verdict = decideVerdict(observations, window, DEFAULT_SCORING);
const analysis = {
  target: {
    alert,
    monitor: monitor("training-loss-spike"),
    groupFingerprints: new Set([alert.fingerprint]),
  },
  evidence,
  verdict,
};
const links = {
  prometheus: "https://prometheus.example.com",
  grafana: { url: "https://grafana.example.com", datasourceUid: "prom", orgId: 1 },
};
const actions: ActionOutcome[] = [
  {
    action: "pause-training",
    route: "routes[0]",
    mode: "dry_run",
    result: "dry_run",
    method: "POST",
    target: "trainer-api.example.com/v1/runs/pause",
    detail: "would POST trainer-api.example.com/v1/runs/pause (61 bytes of body)",
    at: T0 + 3 * MIN,
  },
];
const GOLDEN = join(import.meta.dirname, "..", "golden");

function render(
  destination: Destination,
  enrichment = renderAnalysis(analysis, links, actions),
): string {
  const result = renderMessage({
    destination,
    templates: builtinTemplates(destination.type),
    fallback: builtinTemplates(destination.type),
    groups: [
      {
        notification: notification([alert], {
          groupKey: '{}:{alertname="TrainingLossSpike", run_id="r-17"}',
          groupLabels: { alertname: "TrainingLossSpike", run_id: "r-17" },
          commonLabels: alert.labels,
        }),
        previouslyFiring: new Set(),
        enrichment,
      },
    ],
    now: new Date(T0 + 4 * MIN),
    idempotencyKey: "k",
  });
  const part = result.parts[0];
  return part ? `${part.title}\n${part.body}` : "";
}

describe("the rendered analysis", () => {
  it("names data as the probable cause, the drift of `age` first, with its numbers", () => {
    expect(verdict.layer).toBe("data");
    expect(verdict.evidence[0]?.observation.labels).toEqual({ model: "fraud", feature: "age" });
    expect(verdict.layerScores.data).toBeGreaterThan(0.7);
    expect(verdict.layerScores.model).toBe(0);
    expect(verdict.layerScores.environment).toBe(0);
  });

  it("is the same text every time, in every flavour (golden)", () => {
    const none = { http: () => Promise.reject(new Error("no network")) };
    expectGolden(
      join(GOLDEN, "rca-console.txt"),
      render(consoleDestination("out", () => undefined)),
    );
    expectGolden(
      join(GOLDEN, "rca-slack.txt"),
      render(
        slackDestination({
          name: "s",
          url: "https://hooks.slack.invalid/x",
          timeoutMs: 1000,
          ...none,
        }),
      ),
    );
    expectGolden(
      join(GOLDEN, "rca-dingtalk.txt"),
      render(
        dingTalkDestination({
          name: "d",
          url: "https://oapi.dingtalk.invalid/x",
          timeoutMs: 1000,
          ...none,
        }),
      ),
    );
    expectGolden(
      join(GOLDEN, "rca-enrichment.json"),
      JSON.stringify(renderAnalysis(analysis, links, actions).data, null, 2) + "\n",
    );
  });

  it("names an XID 79 alert's own signal as the cause, marked as its own, inventing nothing else", () => {
    const config: AnalysisConfig = {
      spec,
      prometheus: { url: "http://127.0.0.1:9", headers: {} },
      alertmanager: undefined,
      links,
      queryTimeoutMs: 1000,
      maxConcurrency: 1,
      lookbackMs: 60 * MIN,
      horizonMs: 30 * MIN,
      defaultStepMs: STEP,
      cacheTtlMs: 0,
      followUpForMs: 0,
      topology: DEFAULT_TOPOLOGY,
      scoring: DEFAULT_SCORING,
      priors: DEFAULT_PRIORS,
    };
    const labels = {
      alertname: "GpuXidErrors",
      monitor: "gpu-xid-errors",
      layer: "environment",
      severity: "critical",
      team: "ml",
      instance: "10.0.0.7:9400",
      gpu: "0",
      uuid: "GPU-0",
    };
    const xid = monitor("gpu-xid-errors");
    const onItsGpu = [{ labels: { uuid: "GPU-0", gpu: "0", xid: "79" }, codes: [79] }];
    const own = ownCauseOf(xid, labels, config, onItsGpu);
    expect(own).toEqual({
      monitor: "gpu-xid-errors",
      layer: "environment",
      labels: { gpu: "0", instance: "10.0.0.7:9400", uuid: "GPU-0" },
      prior: { weight: 3, reason: "XID 79: GPU has fallen off the bus" },
    });
    // An XID 79 on another GPU is not this alert's; XID 13 is often the application's own fault.
    const elsewhere = [{ labels: { uuid: "GPU-9", gpu: "1", xid: "79" }, codes: [79] }];
    expect(ownCauseOf(xid, labels, config, elsewhere)).toBeUndefined();
    const xid13 = [{ labels: { uuid: "GPU-0", gpu: "0", xid: "13" }, codes: [13] }];
    expect(ownCauseOf(xid, labels, config, xid13)).toBeUndefined();
    // A loss spike is no hardware fault, whatever the XID codes on its run's GPU.
    expect(
      ownCauseOf(monitor("training-loss-spike"), alert.labels, config, onItsGpu),
    ).toBeUndefined();

    const xidAlert: Alert = { ...alert, labels, fingerprint: "9c0d" };
    const gathered: GatheredEvidence = {
      window,
      context: new Map(),
      signal: undefined,
      observations: [],
      ...(own ? { ownCause: own } : {}),
      checked: [],
      unlinked: [],
      siblings: [],
      notes: [],
    };
    const enrichment = renderAnalysis(
      {
        target: { alert: xidAlert, monitor: xid, groupFingerprints: new Set(["9c0d"]) },
        evidence: gathered,
        verdict: decideVerdict([], window, DEFAULT_SCORING, own),
      },
      links,
      undefined,
    );
    expect(enrichment.headline).toBe(
      "Probable cause: environment (confidence 1) — XID 79: GPU has fallen off the bus on gpu=0 instance=10.0.0.7:9400 uuid=GPU-0 (the alert's own signal, gpu-xid-errors)",
    );
    expect(enrichment.details).toEqual([
      {
        label: "Own signal (environment)",
        text: "gpu-xid-errors gpu=0 instance=10.0.0.7:9400 uuid=GPU-0: the alert's own signal is a known cause — score 1 = strength 0.75 (the alert itself is firing) × precedence 1 (the alert's own onset) × locality 1 (its own signal) × prior 3 (XID 79: GPU has fallen off the bus)",
      },
    ]);
    expect(enrichment.data).toMatchObject({
      verdict: "environment",
      confidence: 1,
      evidence: [],
      ownCause: { monitor: "gpu-xid-errors", prior: 3, score: 1 },
    });
  });

  it("says a counter's evidence is its increase, in the monitor's unit", () => {
    // A hypothetical bytes counter of the run: flat, then 2 GiB a step from 9 minutes before.
    const written: Observation = {
      monitor: "checkpoint-bytes-written",
      layer: "environment",
      labels: { run_id: "r-17" },
      locality: { locality: "workload", kind: "run", label: "run_id", value: "r-17" },
      valueKind: "counter",
      unit: "bytes",
      values: samples((m) => (m >= -9 && m < -8 ? 2 * 2 ** 30 : 0)),
      prior: NEUTRAL_PRIOR,
      query: 'sum by (run_id) (increase(checkpoint_bytes_written_total{run_id="r-17"}[15s]))',
    };
    const enrichment = renderAnalysis(
      {
        ...analysis,
        evidence: { ...evidence, observations: [written] },
        verdict: decideVerdict([written], window, DEFAULT_SCORING),
      },
      links,
      undefined,
    );
    const row = enrichment.details.find((d) => d.label.startsWith("Evidence 1"));
    expect(row?.text).toMatch(
      /^checkpoint-bytes-written run_id=r-17: counter increased by 8 GiB \(z /,
    );
  });

  it("labels an evidence chart's alert threshold in the monitor's unit, on levels only", () => {
    const config = { spec, bands: built.bands, scoring: DEFAULT_SCORING };
    const record = captureEvidence(analysis, config, T0 + 4 * MIN);
    const nullRate = record.charts.find((c) => c.monitor === "data-null-rate-high");
    expect(nullRate?.threshold).toEqual({ value: 0.05, label: "alert threshold 5%" });
    // A counter is charted per step: its threshold (an increase over the whole window) is
    // not drawn on that axis.
    const xid = record.charts.find((c) => c.monitor === "gpu-xid-errors");
    expect(xid).toBeDefined();
    expect(xid?.threshold).toBeUndefined();
  });

  it("marks a message sent before its evidence as not enriched", () => {
    const text = render(
      consoleDestination("out", () => undefined),
      notEnrichedEnrichment("prometheus: timeout", 2000),
    );
    expect(text.split("\n")[1]).toBe(
      "Not enriched: the evidence did not arrive within 2s (prometheus: timeout); an update follows when it does",
    );
  });
});
