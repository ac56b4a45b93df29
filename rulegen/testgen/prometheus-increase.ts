/**
 * `increase()` as Prometheus 2.42 computes it (promql/functions.go, extrapolatedRate):
 * the raw difference with counter resets undone, extrapolated towards the range edges.
 * Generated tests use it to predict the value an increase alert carries.
 */
export interface Sample {
  readonly t: number;
  readonly v: number;
}

export function prometheusIncrease(
  samples: readonly Sample[],
  rangeStartMs: number,
  rangeEndMs: number,
): number | undefined {
  // Prometheus 2.x ranges include both ends.
  const inRange = samples.filter((s) => s.t >= rangeStartMs && s.t <= rangeEndMs);
  const first = inRange[0];
  const last = inRange[inRange.length - 1];
  if (!first || !last || inRange.length < 2) return undefined;
  let result = last.v - first.v;
  let previous = first.v;
  for (const sample of inRange.slice(1)) {
    if (sample.v < previous) result += previous;
    previous = sample.v;
  }
  let durationToStart = (first.t - rangeStartMs) / 1000;
  const durationToEnd = (rangeEndMs - last.t) / 1000;
  const sampledInterval = (last.t - first.t) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (inRange.length - 1);
  if (result > 0 && first.v >= 0) {
    const durationToZero = sampledInterval * (first.v / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const extrapolationThreshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval +=
    durationToStart < extrapolationThreshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval +=
    durationToEnd < extrapolationThreshold ? durationToEnd : averageDurationBetweenSamples / 2;
  return result * (extrapolateToInterval / sampledInterval);
}
