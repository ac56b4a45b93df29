import { stringify } from "yaml";
import { formatDuration } from "../../core/duration.js";
import type { Rule, RuleFilePlan } from "../plan/rule-plan.js";

/** Prometheus rule-file YAML; key order and quoting are fixed, so output is byte-stable. */
export function renderRuleFile(plan: RuleFilePlan, header: string): string {
  return header + stringify(ruleFileDocument(plan), YAML_OPTIONS);
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

export const YAML_OPTIONS = {
  lineWidth: 0,
  indent: 2,
  indentSeq: true,
  aliasDuplicateObjects: false,
} as const;
