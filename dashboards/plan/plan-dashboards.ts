import type { SpecModel } from "../../spec/model/monitor.js";
import { DATA_ROWS } from "../catalog/data.js";
import { GPU_ROWS } from "../catalog/gpu.js";
import { INFERENCE_ROWS } from "../catalog/inference.js";
import { overviewRows } from "../catalog/overview.js";
import { TRAINING_ROWS } from "../catalog/training.js";
import type { DashboardPlan, Domain, RowPlan } from "./dashboard-plan.js";
import { domainOf } from "./monitor-domain.js";
import { monitorPanel } from "./monitor-panel.js";
import { DOMAIN_VARIABLES } from "./variables.js";

const TITLES: Readonly<Record<Domain, string>> = {
  overview: "Overview",
  training: "Training runs",
  inference: "Inference",
  data: "Data quality and drift",
  gpu: "GPUs",
};

const CATALOG: Readonly<Record<Exclude<Domain, "overview">, readonly RowPlan[]>> = {
  training: TRAINING_ROWS,
  inference: INFERENCE_ROWS,
  data: DATA_ROWS,
  gpu: GPU_ROWS,
};

/**
 * Five dashboards per spec: an overview, then one per domain holding that domain's
 * monitors (each on its own panel, first) and the collector's standard panels.
 */
export function planDashboards(model: SpecModel): DashboardPlan[] {
  const byDomain = new Map<Exclude<Domain, "overview">, RowPlan["panels"][number][]>();
  const monitorsByDomain = new Map<Domain, string[]>();
  for (const monitor of model.monitors) {
    const domain = domainOf(monitor);
    byDomain.set(domain, [
      ...(byDomain.get(domain) ?? []),
      monitorPanel(monitor, model.settings, domain),
    ]);
    monitorsByDomain.set(domain, [...(monitorsByDomain.get(domain) ?? []), monitor.name]);
  }
  const plan = (domain: Domain, rows: readonly RowPlan[], description: string): DashboardPlan => ({
    domain,
    uid: dashboardUid(model.name, domain),
    title: `aiwatch / ${model.name} / ${TITLES[domain]}`,
    description,
    variables: DOMAIN_VARIABLES[domain],
    rows,
    annotationMonitors:
      domain === "overview"
        ? model.monitors.map((m) => m.name)
        : (monitorsByDomain.get(domain) ?? []),
  });
  return [
    plan(
      "overview",
      overviewRows(model.monitors),
      `Alerts of spec ${model.name} by root-cause layer, and aiwatch's own health.`,
    ),
    ...(["training", "inference", "data", "gpu"] as const).map((domain) => {
      const monitors = byDomain.get(domain) ?? [];
      const rows =
        monitors.length > 0
          ? [{ title: "Monitors", panels: monitors }, ...CATALOG[domain]]
          : CATALOG[domain];
      return plan(
        domain,
        rows,
        `${TITLES[domain]}: the monitors of spec ${model.name} with their bands and thresholds, and the collector's standard panels.`,
      );
    }),
  ];
}

/** Stable and at most 40 characters, Grafana's limit for a uid. */
export function dashboardUid(specName: string, domain: Domain): string {
  const uid = `aiwatch-${specName}-${domain}`;
  return uid.length <= 40
    ? uid
    : `aiwatch-${specName.slice(0, 40 - 9 - domain.length - 1)}-${domain}`;
}
