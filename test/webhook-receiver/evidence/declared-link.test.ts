import { describe, expect, it } from "vitest";
import { compileSpecContext } from "../../../webhook-receiver/config/compile-spec-context.js";
import type { AnalysisConfig } from "../../../webhook-receiver/evidence/analysis-config.js";
import type { AnalysisWindow } from "../../../webhook-receiver/evidence/gather-evidence.js";
import { applySiblings } from "../../../webhook-receiver/evidence/siblings.js";
import type { Sibling } from "../../../webhook-receiver/evidence/siblings.js";
import { markFiring } from "../../../webhook-receiver/evidence/observations.js";
import type { EvidenceScope } from "../../../webhook-receiver/evidence/observations.js";
import { DEFAULT_PRIORS } from "../../../webhook-receiver/evidence/priors.js";
import { DEFAULT_SCORING } from "../../../webhook-receiver/evidence/scoring.js";
import type { Observation } from "../../../webhook-receiver/evidence/scoring.js";
import { DEFAULT_TOPOLOGY, entitiesOf } from "../../../webhook-receiver/evidence/topology.js";
import type { JoinLabel } from "../../../webhook-receiver/evidence/topology.js";

/**
 * A monitor related by declared labels (`on: [dataset]`) counts only through them: a drift
 * alert of the run's own model, firing just before its loss spiked, is no evidence when it
 * does not carry the run's dataset. Without `on`, the topology links them (same model).
 */
const spec = (related: string) => `
version: aiwatch/v1
name: rca
defaults: { scrape_interval: 15s, evaluation_interval: 15s, runbook_base_url: https://runbooks.example.com }
monitors:
  - name: training-loss-spike
    layer: model
    signal: aiwatch_training_loss{phase="train"}
    by: [run_id]
    detector: { type: zscore, window: 1h, threshold: 4, direction: up }
    related: [${related}]
  - name: feature-drift
    layer: data
    signal: aiwatch_data_drift_score{method="psi"}
    by: [model, feature, dataset]
    aggregation: max
    detector: { type: threshold, above: 0.2 }
`;

function driftMonitor(related: string) {
  const built = compileSpecContext([
    { file: "rca.yaml", text: spec(related), displayName: "rca.yaml" },
  ]);
  if (!built.ok) throw new Error(JSON.stringify(built));
  const monitor = built.context.monitors.get("feature-drift");
  if (!monitor) throw new Error("no feature-drift monitor");
  return monitor;
}

const onset = Date.parse("2026-11-22T10:30:00Z");
const window: AnalysisWindow = {
  startMs: onset - 3_600_000,
  baselineEndMs: onset - 1_800_000,
  onsetMs: onset,
  endMs: onset + 60_000,
  stepMs: 15_000,
};
const config = {
  topology: DEFAULT_TOPOLOGY,
  scoring: DEFAULT_SCORING,
  priors: DEFAULT_PRIORS,
} as unknown as AnalysisConfig;
/** The loss spike's run: its model, and the dataset it trains on. */
const run = { run_id: "r-1", model: "fraud", dataset: "ds-1" };
const drift = (dataset: string) => ({
  alertname: "FeatureDrift",
  monitor: "feature-drift",
  layer: "data",
  model: "fraud",
  feature: "age",
  dataset,
});
const datasetJoin: JoinLabel = { kind: "link", label: "dataset", values: new Set(["ds-1"]) };

function scope(declared?: readonly JoinLabel[]): EvidenceScope {
  return {
    context: entitiesOf(run, DEFAULT_TOPOLOGY),
    window,
    config,
    xid: [],
    ...(declared ? { declaredJoins: new Map([["feature-drift", declared]]) } : {}),
  };
}

function fired(labels: Record<string, string>, evidence: EvidenceScope, related: string) {
  const observations: Observation[] = [];
  markFiring(observations, driftMonitor(related), labels, onset - 7 * 60_000, evidence);
  return observations;
}

describe("a related monitor's firing alert", () => {
  it("counts through the topology when no link is declared (the same model)", () => {
    const observations = fired(drift("ds-other"), scope(), "feature-drift");
    expect(observations).toHaveLength(1);
    expect(observations[0]?.locality).toMatchObject({ kind: "model", value: "fraud" });
  });

  it("counts through a declared link only when it carries a linked value", () => {
    const related = "{ monitor: feature-drift, on: [dataset] }";
    expect(fired(drift("ds-other"), scope([datasetJoin]), related)).toEqual([]);
    const linked = fired(drift("ds-1"), scope([datasetJoin]), related);
    expect(linked).toHaveLength(1);
    expect(linked[0]?.locality).toMatchObject({ kind: "link", label: "dataset", value: "ds-1" });
  });

  it("is no evidence when the run carries none of the declared labels", () => {
    const related = "{ monitor: feature-drift, on: [dataset] }";
    expect(fired(drift("ds-1"), scope([]), related)).toEqual([]);
  });

  it("as an Alertmanager sibling, counts through the declared link only", () => {
    const related = "{ monitor: feature-drift, on: [dataset] }";
    const monitor = driftMonitor(related);
    const sibling = (dataset: string): Sibling => ({
      alertName: "FeatureDrift",
      labels: drift(dataset),
      startsAt: onset - 7 * 60_000,
      match: { locality: "workload", kind: "model", label: "model", value: "fraud" },
      layer: "data",
    });
    const observations: Observation[] = [];
    applySiblings(
      observations,
      [sibling("ds-other")],
      undefined,
      [monitor],
      new Map([[monitor.name, monitor]]),
      scope([datasetJoin]),
    );
    expect(observations).toEqual([]);
  });
});
