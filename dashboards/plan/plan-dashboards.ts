import type { SpecModel } from "../../spec/model/monitor.js";
import { DATA_ROWS } from "../catalog/data.js";
import { gpuRows } from "../catalog/gpu.js";
import { INFERENCE_ROWS } from "../catalog/inference.js";
import { overviewRows } from "../catalog/overview.js";
import { TRAINING_ROWS } from "../catalog/training.js";
import type { DashboardPlan, DataPanelPlan, Domain, RowPlan } from "./dashboard-plan.js";
import { gpuSourcesOf } from "./gpu-sources.js";
import type { GpuSources } from "./gpu-sources.js";
import { domainOf } from "./monitor-domain.js";
import { monitorPanel } from "./monitor-panel.js";
import { domainVariables } from "./variables.js";

const TITLES: Readonly<Record<Domain, string>> = {
  overview: "Overview",
  training: "Training runs",
  inference: "Inference",
  data: "Data quality and drift",
  gpu: "GPUs",
};

const DOMAINS = ["training", "inference", "data", "gpu"] as const;
type MonitorDomain = (typeof DOMAINS)[number];

function catalog(domain: MonitorDomain, gpu: GpuSources): readonly RowPlan[] {
  switch (domain) {
    case "training":
      return TRAINING_ROWS;
    case "inference":
      return INFERENCE_ROWS;
    case "data":
      return DATA_ROWS;
    case "gpu":
      return gpuRows(gpu);
  }
}

/**
 * An overview, then one dashboard per domain the spec has monitors in (no monitor, no
 * dashboard): that domain's monitors (each on its own panel, first) and the collector's
 * standard panels, on the exporter the spec's GPU monitors read. Every dashboard carries
 * the spec's tag, and links to the others by it.
 */
export function planDashboards(model: SpecModel): DashboardPlan[] {
  const monitorsOf = (domain: MonitorDomain) =>
    model.monitors.filter((monitor) => domainOf(monitor) === domain);
  const gpu = gpuSourcesOf(monitorsOf("gpu"));
  const specTag = `aiwatch-${model.name}`;
  const plan = (
    domain: Domain,
    rows: readonly RowPlan[],
    description: string,
    annotationMonitors: readonly string[],
  ): DashboardPlan => ({
    domain,
    uid: dashboardUid(model.name, domain),
    title: `aiwatch / ${model.name} / ${TITLES[domain]}`,
    description,
    variables: domainVariables(domain, gpu),
    rows,
    annotationMonitors,
    specTag,
  });
  const domainPlans = DOMAINS.flatMap((domain) => {
    const monitors = monitorsOf(domain);
    if (monitors.length === 0) return [];
    const variables = domainVariables(domain, gpu);
    const panels: DataPanelPlan[] = monitors.map((m) => monitorPanel(m, model.settings, variables));
    return [
      plan(
        domain,
        [{ title: "Monitors", panels }, ...catalog(domain, gpu)],
        `${TITLES[domain]}: the monitors of spec ${model.name} with their bands and thresholds, and the collector's standard panels.`,
        monitors.map((m) => m.name),
      ),
    ];
  });
  return [
    plan(
      "overview",
      overviewRows(model.monitors),
      `Alerts of spec ${model.name} by root-cause layer, and aiwatch's own health.`,
      model.monitors.map((m) => m.name),
    ),
    ...domainPlans,
  ];
}

/** Stable and at most 40 characters, Grafana's limit for a uid. */
export function dashboardUid(specName: string, domain: Domain): string {
  const uid = `aiwatch-${specName}-${domain}`;
  return uid.length <= 40
    ? uid
    : `aiwatch-${specName.slice(0, 40 - 9 - domain.length - 1)}-${domain}`;
}
