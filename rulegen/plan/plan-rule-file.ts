import { detectorFor } from "../detectors/registry.js";
import type { SpecModel } from "../../spec/model/monitor.js";
import { alertRule } from "./alert-rule.js";
import { groupName } from "../../spec/model/naming.js";
import type { RuleFilePlan, RuleGroup } from "./rule-plan.js";

/**
 * One group per monitor at the evaluation interval (its recordings, then its alert), and
 * before it a slower group for the detector's long-window statistics when it has any.
 * Groups evaluate concurrently in Prometheus; rules inside one group in order.
 */
export function planRuleFile(model: SpecModel): RuleFilePlan {
  const groups: RuleGroup[] = [];
  for (const monitor of model.monitors) {
    const plan = detectorFor(monitor.detector.type).planRules(monitor, model.settings);
    if (plan.seasonal) {
      groups.push({
        name: groupName(monitor, "seasonal"),
        intervalMs: plan.seasonal.intervalMs,
        rules: plan.seasonal.rules,
      });
    }
    if (plan.baseline) {
      groups.push({
        name: groupName(monitor, "baseline"),
        intervalMs: plan.baseline.intervalMs,
        rules: plan.baseline.rules,
      });
    }
    const alerts = plan.alertVariants
      ? plan.alertVariants.map((variant) =>
          alertRule(monitor, model.settings, variant.expr, variant.labels),
        )
      : [alertRule(monitor, model.settings, plan.alertExpr)];
    groups.push({
      name: groupName(monitor),
      intervalMs: model.settings.evaluationIntervalMs,
      rules: [...plan.recordings, ...alerts],
    });
  }
  return { groups };
}
