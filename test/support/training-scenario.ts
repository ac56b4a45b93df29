import { startMetricsTarget } from "./metrics-target.js";
import type { MetricsTarget } from "./metrics-target.js";

/**
 * A small AI fleet for root-cause tests and benchmarks: one scrape target per node (as an
 * aiwatch exporter per node exposes its run's training series and its GPU's XID
 * counters, all sharing the node's `instance`), and one data-quality target with each
 * model's drift scores. The test sets the state; every scrape shows it, with a little
 * noise where real signals have some.
 */
export const SCENARIO_SPEC = `
version: aiwatch/v1
name: rca
defaults: { scrape_interval: 1s, evaluation_interval: 1s, runbook_base_url: https://runbooks.example.com }
monitors:
  - name: training-loss-spike
    layer: model
    signal: aiwatch_training_loss{phase="train"}
    by: [run_id, job_name]
    detector: { type: zscore, window: 20s, threshold: 4, direction: up }
    for: 2s
    keep_firing_for: 1m
    related:
      - { monitor: feature-drift, on: [model, dataset] }
      - gpu-xid-errors
      - learning-rate-changed
  - name: feature-drift
    layer: data
    signal: aiwatch_data_drift_score{method="psi"}
    by: [model, feature]
    aggregation: max
    detector: { type: threshold, above: 0.2 }
    for: 2s
  - name: gpu-xid-errors
    layer: environment
    signal: aiwatch_gpu_xid_events_total
    by: [instance, gpu, uuid]
    detector: { type: increase, window: 1m }
  - name: learning-rate-changed
    layer: model
    signal: aiwatch_training_learning_rate
    by: [run_id, job_name]
    detector: { type: zscore, window: 20s, threshold: 6, min_relative_stddev: 0.05 }
    for: 1s
`;

export interface ScenarioRun {
  readonly runId: string;
  readonly jobName: string;
  readonly model: string;
  readonly uuid: string;
  /** Mutable state the test drives. */
  loss: number;
  learningRate: number;
  xidEvents: number;
  xidCodes: number[];
  drift: number;
  /** The dataset its model's drift scores are labelled with. */
  readonly dataset: string;
  /**
   * What ties the run to its data: its node's series carry its `model` (the default), its
   * `dataset`, or nothing at all (a run nothing links to any model's data).
   */
  readonly link: RunLink;
}

export type RunLink = "model" | "dataset" | "none";

export interface ScenarioFleet {
  readonly runs: readonly ScenarioRun[];
  readonly nodes: readonly MetricsTarget[];
  readonly data: MetricsTarget;
  /** `scrape_configs:` entries for Prometheus, each node's link (model, dataset) a target label. */
  scrapeConfigs(): string;
  close(): Promise<void>;
}

export function scenarioRun(name: string, link: RunLink = "model"): ScenarioRun {
  return {
    runId: `r-${name}`,
    jobName: `job-${name}`,
    model: `m-${name}`,
    uuid: `GPU-${name}0000000-0000-0000-0000-000000000000`,
    loss: 1,
    learningRate: 0.0001,
    xidEvents: 0,
    xidCodes: [],
    drift: 0.05,
    dataset: `ds-${name}`,
    link,
  };
}

function nodeText(run: ScenarioRun, scrape: number): string {
  const noise = scrape % 2 === 0 ? 0 : 0.2;
  const ids = `run_id="${run.runId}",job_name="${run.jobName}"`;
  const gpu = `gpu="0",uuid="${run.uuid}",pci_bus_id="00000000:3B:00.0"`;
  return [
    `aiwatch_training_loss{phase="train",${ids}} ${run.loss + noise}`,
    `aiwatch_training_learning_rate{${ids}} ${run.learningRate}`,
    `aiwatch_training_run_info{${ids},source="api"} 1`,
    `aiwatch_training_run_status{${ids},status="running"} 1`,
    `aiwatch_gpu_xid_events_total{${gpu}} ${run.xidEvents}`,
    ...run.xidCodes.map((code) => `aiwatch_gpu_xid_errors_total{${gpu},xid="${code}"} 1`),
    "",
  ].join("\n");
}

function dataText(runs: readonly ScenarioRun[], scrape: number): string {
  const noise = scrape % 2 === 0 ? -0.01 : 0.01;
  return (
    runs
      .flatMap((run) => [
        `aiwatch_data_drift_score{model="${run.model}",dataset="${run.dataset}",feature="age",method="psi"} ${run.drift + noise}`,
        `aiwatch_data_drift_score{model="${run.model}",dataset="${run.dataset}",feature="income",method="psi"} ${0.05 + noise}`,
      ])
      .join("\n") + "\n"
  );
}

export async function startScenarioFleet(
  names: readonly string[],
  links: Readonly<Record<string, RunLink>> = {},
): Promise<ScenarioFleet> {
  const runs = names.map((name) => scenarioRun(name, links[name]));
  const nodes = await Promise.all(
    runs.map((run) => startMetricsTarget((scrape) => nodeText(run, scrape))),
  );
  const data = await startMetricsTarget((scrape) => dataText(runs, scrape));
  return {
    runs,
    nodes,
    data,
    scrapeConfigs: () =>
      [
        "scrape_configs:",
        ...runs.map(
          (run, i) =>
            `  - { job_name: node-${i}, static_configs: [{ targets: ["${nodes[i]?.address ?? ""}"], labels: { ${targetLabels(run)} } }] }`,
        ),
        `  - { job_name: data-quality, static_configs: [{ targets: ["${data.address}"] }] }`,
      ].join("\n"),
    close: async () => {
      await Promise.all([...nodes, data].map((t) => t.close()));
    },
  };
}

function targetLabels(run: ScenarioRun): string {
  if (run.link === "model") return `model: "${run.model}"`;
  if (run.link === "dataset") return `dataset: "${run.dataset}"`;
  return "";
}
