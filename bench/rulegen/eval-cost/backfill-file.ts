import { closeSync, openSync, writeSync } from "node:fs";

export interface BackfillSpec {
  readonly path: string;
  readonly metric: string;
  readonly series: number;
  readonly scrapeIntervalMs: number;
  /** Raw samples from endMs - rawHistoryMs to endMs. */
  readonly rawHistoryMs: number;
  readonly endMs: number;
  /**
   * Recorded bucket series to backfill at their cadence, so the baseline rules read the
   * history they would have in steady state instead of an empty store.
   */
  readonly buckets?: {
    readonly avgName: string;
    readonly stdvarName: string;
    readonly monitor: string;
    readonly bucketMs: number;
    readonly historyMs: number;
  };
}

/** A deterministic, noisy but stationary signal: what a training loss looks like. */
export function signalValue(series: number, tMs: number): number {
  const phase = (series * 7919) % 1000;
  const x = Math.sin((tMs / 60_000 + phase) * 0.37) + 0.3 * Math.sin((tMs / 15_000) * 1.7 + series);
  return 10 + (series % 13) + x;
}

/** Writes an OpenMetrics file for `promtool tsdb create-blocks-from openmetrics`. */
export function writeBackfillFile(spec: BackfillSpec): number {
  const fd = openSync(spec.path, "w");
  let samples = 0;
  let chunk = "";
  const flush = (force = false): void => {
    if (force || chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = "";
    }
  };
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const start = spec.endMs - spec.rawHistoryMs;
  chunk += `# TYPE ${spec.metric} gauge\n`;
  for (let s = 0; s < spec.series; s++) {
    for (let t = start; t <= spec.endMs; t += spec.scrapeIntervalMs) {
      chunk += `${spec.metric}{series="${s}"} ${signalValue(s, t)} ${seconds(t)}\n`;
      samples++;
      flush();
    }
  }
  const buckets = spec.buckets;
  if (buckets) {
    const first = Math.ceil((spec.endMs - buckets.historyMs) / buckets.bucketMs) * buckets.bucketMs;
    for (const [name, pick] of [
      [buckets.avgName, (avg: number) => avg],
      [buckets.stdvarName, (_avg: number, variance: number) => variance],
    ] as const) {
      chunk += `# TYPE ${name} gauge\n`;
      for (let s = 0; s < spec.series; s++) {
        for (let t = first; t <= spec.endMs; t += buckets.bucketMs) {
          let n = 0;
          let mean = 0;
          let m2 = 0;
          for (let u = t - buckets.bucketMs; u <= t; u += spec.scrapeIntervalMs) {
            const v = signalValue(s, u);
            n++;
            const delta = v - mean;
            mean += delta / n;
            m2 += delta * (v - mean);
          }
          chunk += `${name}{monitor="${buckets.monitor}",series="${s}"} ${pick(mean, m2 / n)} ${seconds(t)}\n`;
          samples++;
          flush();
        }
      }
    }
  }
  chunk += "# EOF\n";
  flush(true);
  closeSync(fd);
  return samples;
}
