import { waitFor } from "../../../core/process/wait-for.js";

/**
 * Waits until Prometheus has finished compacting backfilled blocks. promtool writes
 * two-hour blocks; a week of them is compacted into a few large blocks in the background
 * after start, which both loads the CPU and changes how many blocks a range query reads.
 * Production reads compacted history, so measurements start once the first compaction
 * has been triggered (the TSDB does so a minute after start) and the block count has not
 * changed for `quietMs` since.
 */
export async function waitForCompactedBlocks(
  prometheusUrl: string,
  timeoutMs: number,
  quietMs = 30_000,
): Promise<number> {
  let last = -1;
  let since = Date.now();
  let blocks = 0;
  await waitFor(
    "backfilled blocks to be compacted",
    async () => {
      const text = await (await fetch(`${prometheusUrl}/metrics`)).text();
      const match = /^prometheus_tsdb_blocks_loaded (\S+)$/m.exec(text);
      const triggered = /^prometheus_tsdb_compactions_triggered_total (\S+)$/m.exec(text);
      blocks = Number(match?.[1] ?? NaN);
      if (Number(triggered?.[1] ?? 0) < 1 || blocks !== last) {
        last = blocks;
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= quietMs ? true : undefined;
    },
    { timeoutMs, pollMs: 2_000 },
  );
  return blocks;
}
