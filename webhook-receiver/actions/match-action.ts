import type { Alert, Notification } from "../payload/notification.js";
import type { Verdict } from "../evidence/scoring.js";
import type { ActionConfig } from "./action-config.js";

/**
 * Whether an action's `when` holds for a firing notification: every condition given must
 * hold. `verdicts` needs an analysis that reached one; `layers` reads the explained
 * alert's `layer` label; `matchers` see the labels of the explained alert (the group's
 * earliest firing one, so also every label its alerts share) and the group's labels.
 */
export function actionApplies(
  action: ActionConfig,
  notification: Notification,
  primary: Alert | undefined,
  verdict: Verdict | undefined,
): boolean {
  if (notification.status !== "firing" || !primary) return false;
  const when = action.when;
  if (when.verdicts !== undefined) {
    if (!verdict || !when.verdicts.includes(verdict.layer)) return false;
    if (when.minConfidence !== undefined && verdict.confidence < when.minConfidence) return false;
  }
  if (when.layers !== undefined) {
    const layer = primary.labels["layer"];
    if (!when.layers.some((l) => l === layer)) return false;
  }
  const labels = { ...primary.labels, ...notification.groupLabels };
  return when.matchers.every((m) => m.matches(labels));
}
