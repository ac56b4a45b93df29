import type { AlertCheck, ExpectedAlert } from "./scenario.js";
import { firingAt, firstEvaluationAtOrAfter, lastPendingAt } from "./timing.js";

export interface AnomalyTimeline {
  /** Time of the first anomalous sample. */
  readonly startMs: number;
  /** Time of the first normal sample after the anomaly. */
  readonly endMs: number;
  readonly forMs: number;
  readonly keepFiringForMs: number | undefined;
  readonly evaluationIntervalMs: number;
}

/** When the anomaly must end so the alert is seen firing (and one evaluation more). */
export function anomalyEndFor(
  startMs: number,
  forMs: number,
  evaluationIntervalMs: number,
): number {
  const active = firstEvaluationAtOrAfter(startMs, evaluationIntervalMs);
  return firingAt(active, forMs, evaluationIntervalMs) + 2 * evaluationIntervalMs;
}

/**
 * Checks that prove the alert is quiet before the anomaly, pending for `for`, firing
 * after it, and resolved when the anomaly ends (after `keep_firing_for`, if set).
 */
export function anomalyChecks(
  timeline: AnomalyTimeline,
  firing: readonly ExpectedAlert[],
): AlertCheck[] {
  const ei = timeline.evaluationIntervalMs;
  const active = firstEvaluationAtOrAfter(timeline.startMs, ei);
  const checks: AlertCheck[] = [];
  if (active - ei >= 0) checks.push({ atMs: active - ei, alerts: [] });
  const pending = lastPendingAt(active, timeline.forMs, ei);
  if (pending !== undefined && pending > active - ei) checks.push({ atMs: pending, alerts: [] });
  const firingTime = firingAt(active, timeline.forMs, ei);
  checks.push({ atMs: firingTime, alerts: firing });
  const recovered = firstEvaluationAtOrAfter(timeline.endMs, ei);
  const keep = timeline.keepFiringForMs ?? 0;
  if (keep > 0) {
    const stillFiring = recovered + keep - ei;
    if (stillFiring > firingTime) checks.push({ atMs: stillFiring, alerts: firing });
    checks.push({ atMs: recovered + Math.ceil(keep / ei) * ei, alerts: [] });
  } else {
    checks.push({ atMs: recovered, alerts: [] });
  }
  return checks;
}
