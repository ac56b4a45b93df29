import type { Rule, RuleFilePlan, RuleGroup } from "../plan/rule-plan.js";

/**
 * vmalert evaluates a group's rules against its datasource, and a recording rule's result
 * is only readable once remote write has delivered it: a rule that reads a recording of
 * its own group sees the previous evaluation's value, or none. So every rule moves to a
 * later group ("stage") than the recordings of its group it reads. Groups run at the same
 * interval; a later stage reads what the earlier stage recorded one evaluation before.
 */
export function splitChainedGroups(plan: RuleFilePlan): RuleFilePlan {
  return { groups: plan.groups.flatMap(splitGroup) };
}

function splitGroup(group: RuleGroup): RuleGroup[] {
  const stageOf = new Map<string, number>();
  const stages: Rule[][] = [];
  for (const rule of group.rules) {
    let stage = 0;
    for (const [record, recordStage] of stageOf)
      if (reads(rule.expr, record)) stage = Math.max(stage, recordStage + 1);
    (stages[stage] ??= []).push(rule);
    if (rule.kind === "record")
      stageOf.set(rule.record, Math.max(stageOf.get(rule.record) ?? 0, stage));
  }
  return stages
    .filter((rules) => rules.length > 0)
    .map((rules, i) => ({
      name: i === 0 ? group.name : `${group.name}-stage${i + 1}`,
      intervalMs: group.intervalMs,
      rules,
    }));
}

/** Whether `expr` selects the metric `name` (not merely a longer name that starts with it). */
export function reads(expr: string, name: string): boolean {
  let from = 0;
  for (;;) {
    const at = expr.indexOf(name, from);
    if (at < 0) return false;
    const before = expr[at - 1];
    const after = expr[at + name.length];
    const boundary = (c: string | undefined) => c === undefined || !/[A-Za-z0-9_:]/.test(c);
    if (boundary(before) && boundary(after)) return true;
    from = at + name.length;
  }
}
