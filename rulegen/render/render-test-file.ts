import { formatDuration } from "../../core/duration.js";
import type { TestFilePlan } from "../testgen/test-file-plan.js";
import { emitYaml } from "./emit-yaml.js";

/** promtool unit-test YAML. Every test sets `interval`: promtool 2.42 otherwise assumes 1m. */
export function renderTestFile(plan: TestFilePlan, header: string): string {
  const document = {
    rule_files: plan.ruleFiles,
    evaluation_interval: formatDuration(plan.evaluationIntervalMs),
    tests: plan.tests.map((test) => ({
      name: test.name,
      interval: formatDuration(test.intervalMs),
      input_series: test.inputSeries.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: test.alertRuleTests.map((t) => ({
        eval_time: formatDuration(t.evalTimeMs),
        alertname: t.alertname,
        exp_alerts: t.expAlerts.map((a) => ({
          exp_labels: a.labels,
          exp_annotations: a.annotations,
        })),
      })),
    })),
  };
  return header + emitYaml(document);
}
