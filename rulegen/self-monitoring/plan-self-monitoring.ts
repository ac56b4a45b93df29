import type { SelfMonitoring, SpecModel } from "../../spec/model/monitor.js";
import { LAYER_LABEL, SEVERITY_LABEL } from "../../spec/model/naming.js";
import type { AlertingRule, RuleFilePlan, RuleGroup } from "../plan/rule-plan.js";
import { SELF_MONITORING_ALERTS } from "./self-monitoring-alerts.js";
import type { SelfMonitoringAlert } from "./self-monitoring-alerts.js";

/** A name no monitor's group can take: monitor names are kebab-case, without dots. */
export const SELF_MONITORING_GROUP = "aiwatch.self-monitoring";

/**
 * The planning step after the monitors' groups: one more group with the alerts on
 * aiwatch itself, unless the spec turned them off. They carry the spec's default labels
 * (so they route with its other alerts) and the `environment` layer: aiwatch is part of
 * the monitoring infrastructure.
 */
export function withSelfMonitoring(plan: RuleFilePlan, model: SpecModel): RuleFilePlan {
  if (!model.selfMonitoring) return plan;
  const self = model.selfMonitoring;
  const group: RuleGroup = {
    name: SELF_MONITORING_GROUP,
    intervalMs: model.settings.evaluationIntervalMs,
    rules: SELF_MONITORING_ALERTS.map((alert) => selfMonitoringRule(alert, model, self)),
  };
  return { groups: [...plan.groups, group] };
}

export function selfMonitoringRule(
  alert: SelfMonitoringAlert,
  model: SpecModel,
  self: SelfMonitoring,
): AlertingRule {
  return {
    kind: "alert",
    alert: alert.alert,
    expr: alert.expr,
    forMs: alert.forMs,
    keepFiringForMs: undefined,
    labels: selfMonitoringLabels(alert, model),
    annotations: {
      summary: alert.summary,
      description: alert.description,
      runbook_url: `${self.runbookBaseUrl}#${alert.alert.toLowerCase()}`,
    },
  };
}

export function selfMonitoringLabels(
  alert: SelfMonitoringAlert,
  model: SpecModel,
): Record<string, string> {
  const labels: Record<string, string> = {
    ...model.labels,
    [SEVERITY_LABEL]: alert.severity,
    [LAYER_LABEL]: "environment",
  };
  return Object.fromEntries(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k] ?? ""]),
  );
}
