import { detectorFor } from "../detectors/registry.js";
import type { Monitor, SpecModel } from "../../spec/model/monitor.js";
import { alertAnnotations, alertLabels } from "../plan/alert-rule.js";
import { parseAlertTemplate, renderAlertTemplate } from "../template/alert-template.js";
import type { AlertTemplate, TemplateData } from "../template/alert-template.js";
import type { ExpectedAlert } from "./scenario.js";
import type { ExpectedPromtoolAlert, TestFilePlan, UnitTest } from "./test-file-plan.js";

/** Every detector's scenarios for every monitor, as one promtool test file. */
export function planTestFile(model: SpecModel, ruleFileName: string): TestFilePlan {
  const tests: UnitTest[] = [];
  // A monitor's annotations are the same templates for each alert its tests expect.
  const templates = new Map<string, AlertTemplate>();
  for (const monitor of model.monitors) {
    const scenarios = detectorFor(monitor.detector.type).planTests(monitor, model.settings);
    for (const scenario of scenarios) {
      tests.push({
        name: `${monitor.name}: ${scenario.title}`,
        intervalMs: scenario.intervalMs,
        inputSeries: scenario.inputs,
        alertRuleTests: scenario.checks.map((check) => ({
          evalTimeMs: check.atMs,
          alertname: monitor.alertName,
          expAlerts: check.alerts.map((alert) => expectedAlert(monitor, model, alert, templates)),
        })),
      });
    }
  }
  return {
    ruleFiles: [ruleFileName],
    evaluationIntervalMs: model.settings.evaluationIntervalMs,
    tests,
  };
}

/** The labels and annotations Prometheus will show, templates rendered as it renders them. */
function expectedAlert(
  monitor: Monitor,
  model: SpecModel,
  alert: ExpectedAlert,
  templates: Map<string, AlertTemplate>,
): ExpectedPromtoolAlert {
  const data: TemplateData = { labels: alert.labels, externalLabels: {}, value: alert.value };
  const render = (text: string): string => {
    let template = templates.get(text);
    if (template === undefined) {
      const parsed = parseAlertTemplate(text);
      // Templates were validated with the spec; a failure here is a bug in a default template.
      if (!parsed.ok)
        throw new Error(`internal: template ${JSON.stringify(text)}: ${parsed.problem.message}`);
      template = parsed.template;
      templates.set(text, template);
    }
    return renderAlertTemplate(template, data);
  };
  const ruleLabels = Object.entries(alertLabels(monitor, alert.ruleLabels)).map(
    ([k, v]) => [k, render(v)] as const,
  );
  const labels = Object.fromEntries(
    [...Object.entries(alert.labels), ...ruleLabels].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    ),
  );
  const annotations = Object.fromEntries(
    Object.entries(alertAnnotations(monitor, model.settings)).map(([k, v]) => [k, render(v)]),
  );
  return { labels, annotations };
}
