import type { SpecModel } from "../../spec/model/monitor.js";
import { parseAlertTemplate, renderAlertTemplate } from "../template/alert-template.js";
import type { TestFilePlan, UnitTest } from "../testgen/test-file-plan.js";
import { selfMonitoringLabels, selfMonitoringRule } from "./plan-self-monitoring.js";
import { SELF_MONITORING_ALERTS } from "./self-monitoring-alerts.js";

const SAMPLE_INTERVAL_MS = 60_000;

/**
 * One promtool test per self-monitoring alert: its scenario's series, checked once the
 * alert must be firing, expecting exactly the alerts the scenario names (so the healthy
 * series beside them prove it stays quiet), with annotations rendered as Prometheus will.
 */
export function withSelfMonitoringTests(plan: TestFilePlan, model: SpecModel): TestFilePlan {
  const self = model.selfMonitoring;
  if (!self) return plan;
  const ei = model.settings.evaluationIntervalMs;
  const tests: UnitTest[] = SELF_MONITORING_ALERTS.map((alert) => {
    const rule = selfMonitoringRule(alert, model, self);
    const ruleLabels = selfMonitoringLabels(alert, model);
    return {
      name: `self-monitoring: ${alert.alert}`,
      intervalMs: SAMPLE_INTERVAL_MS,
      inputSeries: alert.scenario.inputs,
      alertRuleTests: [
        {
          evalTimeMs: Math.ceil(alert.scenario.evalAtMs / ei) * ei,
          alertname: alert.alert,
          expAlerts: alert.scenario.fires.map((fire) => ({
            labels: sorted({ ...fire.labels, ...ruleLabels }),
            annotations: Object.fromEntries(
              Object.entries(rule.annotations).map(([key, text]) => [
                key,
                render(text, fire.labels, fire.value),
              ]),
            ),
          })),
        },
      ],
    };
  });
  return { ...plan, tests: [...plan.tests, ...tests] };
}

function render(text: string, labels: Readonly<Record<string, string>>, value: number): string {
  const parsed = parseAlertTemplate(text);
  if (!parsed.ok)
    throw new Error(`internal: template ${JSON.stringify(text)}: ${parsed.problem.message}`);
  return renderAlertTemplate(parsed.template, { labels, externalLabels: {}, value });
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k] ?? ""]),
  );
}
