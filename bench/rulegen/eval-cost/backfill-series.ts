import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "../../../core/run-process.js";

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
  // OpenMetrics wants each name's samples together, under one TYPE line: families that
  // share a name (one recording of several monitors, told apart by labels) go in a row.
  const byName = [...families].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let previous: string | undefined;
  for (const family of byName) {
    if (family.name !== previous) chunk += `# TYPE ${family.name} gauge\n`;
    previous = family.name;
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

/** TSDB blocks cover two hours (aligned): promtool reads its input once per block. */
const BLOCK_MS = 2 * 3_600_000;

/**
 * Backfills the families into `dataDir` one two-hour block at a time: promtool 2.42's
 * `create-blocks-from openmetrics` re-reads its whole input for every block it writes, so
 * a week of history in one file is read ~85 times (an hour on a shared 2-core machine);
 * one file per block reads every sample once. Returns the number of samples.
 */
export async function backfillByBlock(
  promtool: string,
  scratchDir: string,
  dataDir: string,
  families: readonly BackfillFamily[],
  series: number,
  endMs: number,
): Promise<number> {
  const blocks = new Map<number, BackfillFamily[]>();
  for (const family of families)
    for (const [fromAgo, toAgo] of family.ranges) {
      const from = endMs - fromAgo;
      const to = endMs - toAgo;
      for (let start = Math.floor(from / BLOCK_MS) * BLOCK_MS; start <= to; start += BLOCK_MS) {
        // The part of this range inside the block, as [from, to] before endMs.
        const part: readonly [number, number] = [
          endMs - Math.max(from, start),
          endMs - Math.min(to, start + BLOCK_MS - 1),
        ];
        const list = blocks.get(start) ?? [];
        list.push({ ...family, ranges: [part] });
        blocks.set(start, list);
      }
    }
  let samples = 0;
  for (const [start, list] of [...blocks].sort(([a], [b]) => a - b)) {
    const file = join(scratchDir, `backfill-${start}.om`);
    samples += writeBackfill(file, mergeFamilies(list), series, endMs);
    const result = await runProcess(
      promtool,
      ["tsdb", "create-blocks-from", "openmetrics", file, dataDir],
      { timeoutMs: 600_000 },
    );
    if (result.exitCode !== 0) throw new Error(`backfill failed: ${result.stderr}`);
  }
  return samples;
}

/** One family per name and label set in a block (its ranges joined). */
function mergeFamilies(list: readonly BackfillFamily[]): BackfillFamily[] {
  const byKey = new Map<string, BackfillFamily>();
  for (const family of list) {
    const key = `${family.name}{${family.labels(0)}}`;
    const known = byKey.get(key);
    byKey.set(key, known ? { ...known, ranges: [...known.ranges, ...family.ranges] } : family);
  }
  return [...byKey.values()];
}
