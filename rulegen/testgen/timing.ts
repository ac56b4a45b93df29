/** Alert timing as Prometheus's rule manager computes it, for choosing check times. */

/** Rule groups evaluate at multiples of the evaluation interval. */
export function firstEvaluationAtOrAfter(ms: number, evaluationIntervalMs: number): number {
  return Math.ceil(ms / evaluationIntervalMs) * evaluationIntervalMs;
}

/** An alert fires at the first evaluation at least `for` after it became active. */
export function firingAt(activeAtMs: number, forMs: number, evaluationIntervalMs: number): number {
  return activeAtMs + Math.ceil(forMs / evaluationIntervalMs) * evaluationIntervalMs;
}

/** The last evaluation at which an alert that became active at `activeAtMs` is still pending. */
export function lastPendingAt(
  activeAtMs: number,
  forMs: number,
  evaluationIntervalMs: number,
): number | undefined {
  const firing = firingAt(activeAtMs, forMs, evaluationIntervalMs);
  return firing > activeAtMs ? firing - evaluationIntervalMs : undefined;
}
