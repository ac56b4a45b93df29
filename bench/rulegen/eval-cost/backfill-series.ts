import { closeSync, openSync, writeSync } from "node:fs";

/** One family of series to backfill: its name, labels per series, cadence and time ranges. */
export interface BackfillFamily {
  readonly name: string;
  readonly labels: (series: number) => string;
  readonly cadenceMs: number;
  /** [from, to] as milliseconds before `endMs`, e.g. [[3_600_000, 0]] for the last hour. */
  readonly ranges: readonly (readonly [number, number])[];
  readonly value: (series: number, tMs: number) => number;
}

/**
 * Writes an OpenMetrics file for `promtool tsdb create-blocks-from openmetrics`, families
 * at their own cadence (raw samples at the scrape interval, recorded series at their
 * group's interval), so rules read the history they would have in steady state.
 * Returns the number of samples written.
 */
export function writeBackfill(
  path: string,
  families: readonly BackfillFamily[],
  series: number,
  endMs: number,
): number {
  const fd = openSync(path, "w");
  let samples = 0;
  let chunk = "";
  const flush = (force = false): void => {
    if (force || chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = "";
    }
  };
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  for (const family of families) {
    chunk += `# TYPE ${family.name} gauge\n`;
    for (let s = 0; s < series; s++) {
      const labels = family.labels(s);
      const times = new Set<number>();
      for (const [fromAgo, toAgo] of family.ranges) {
        const first = Math.ceil((endMs - fromAgo) / family.cadenceMs) * family.cadenceMs;
        for (let t = first; t <= endMs - toAgo; t += family.cadenceMs) times.add(t);
      }
      for (const t of [...times].sort((a, b) => a - b)) {
        chunk += `${family.name}{${labels}} ${family.value(s, t)} ${seconds(t)}\n`;
        samples++;
        flush();
      }
    }
  }
  chunk += "# EOF\n";
  flush(true);
  closeSync(fd);
  return samples;
}
