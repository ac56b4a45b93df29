/**
 * Exponential backoff with jitter: the n-th retry waits between half and all of
 * initial * 2^n (capped), so receivers that failed together do not retry in lockstep.
 */
export function backoffMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
