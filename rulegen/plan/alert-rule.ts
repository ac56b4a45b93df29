import { detectorFor } from "../detectors/registry.js";
import type { Monitor, Settings } from "../../spec/model/monitor.js";
import { LAYER_LABEL, MONITOR_LABEL, SEVERITY_LABEL } from "../../spec/model/naming.js";
import type { AlertingRule } from "./rule-plan.js";

/** Labels every aiwatch alert carries; the monitor's own labels cannot override them. */
export function alertLabels(
  monitor: Monitor,
  variantLabels: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return sortKeys({
    ...monitor.labels,
    [SEVERITY_LABEL]: monitor.severity,
    [MONITOR_LABEL]: monitor.name,
    [LAYER_LABEL]: monitor.layer,
    ...variantLabels,
  });
}

export function alertAnnotations(monitor: Monitor, settings: Settings): Record<string, string> {
  const defaults = detectorFor(monitor.detector.type).defaultAnnotations(monitor, settings);
  return {
    summary: monitor.summary ?? defaults.summary,
    description: monitor.description ?? defaults.description,
    runbook_url: monitor.runbookUrl,
  };
}

export function alertRule(
  monitor: Monitor,
  settings: Settings,
  expr: string,
  variantLabels: Readonly<Record<string, string>> = {},
): AlertingRule {
  return {
    kind: "alert",
    alert: monitor.alertName,
    expr,
    forMs: monitor.forMs,
    keepFiringForMs: monitor.keepFiringForMs,
    labels: alertLabels(monitor, variantLabels),
    annotations: alertAnnotations(monitor, settings),
  };
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k] ?? ""]),
  );
}
