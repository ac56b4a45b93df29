import { formatDuration } from "../../core/duration.js";
import type { Rule, RuleFilePlan } from "../plan/rule-plan.js";
import { emitYaml } from "./emit-yaml.js";

export { YAML_OPTIONS } from "./emit-yaml.js";

/** Prometheus rule-file YAML; key order and quoting are fixed, so output is byte-stable. */
export function renderRuleFile(plan: RuleFilePlan, header: string): string {
  return header + emitYaml(ruleFileDocument(plan));
}

export interface RuleFileDocument {
  readonly groups: readonly Record<string, unknown>[];
}

/** The rule file as a plain object, for targets that wrap or extend it. */
export function ruleFileDocument(plan: RuleFilePlan): RuleFileDocument {
  return {
    groups: plan.groups.map((group) => ({
      name: group.name,
      interval: formatDuration(group.intervalMs),
      rules: group.rules.map(renderRule),
    })),
  };
}

function renderRule(rule: Rule): Record<string, unknown> {
  if (rule.kind === "record") {
    return {
      record: rule.record,
      expr: rule.expr,
      ...(Object.keys(rule.labels).length > 0 ? { labels: rule.labels } : {}),
    };
  }
  return {
    alert: rule.alert,
    expr: rule.expr,
    ...(rule.forMs > 0 ? { for: formatDuration(rule.forMs) } : {}),
    ...(rule.keepFiringForMs !== undefined
      ? { keep_firing_for: formatDuration(rule.keepFiringForMs) }
      : {}),
    labels: rule.labels,
    annotations: rule.annotations,
  };
}
