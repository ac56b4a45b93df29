import { existsSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface LoopBlocking {
  /**
   * The most CPU time this thread spent between two ticks of a 5 ms timer: the longest the
   * event loop was kept from its timers by work of its own. On Linux from the thread's
   * run time in /proc/thread-self/schedstat, so time spent waiting for a core on a busy
   * machine does not count; elsewhere the wall-clock delay, which includes it.
   */
  readonly maxBlockedMs: number;
  readonly basis: "thread CPU time" | "wall clock";
  /** The wall-clock event-loop delay (monitorEventLoopDelay), for the record. */
  readonly wallMaxMs: number;
  readonly wallP99Ms: number;
}

const SCHEDSTAT = "/proc/thread-self/schedstat";

/** Measures how long the event loop is blocked while `work` runs. */
export async function measureLoopBlocking(work: () => Promise<void>): Promise<LoopBlocking> {
  const cpu = existsSync(SCHEDSTAT);
  const now = (): number =>
    cpu ? Number(readFileSync(SCHEDSTAT, "utf8").split(" ")[0]) / 1e6 : performance.now();
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  let last = now();
  let max = 0;
  const tick = setInterval(() => {
    const at = now();
    max = Math.max(max, at - last - (cpu ? 0 : 5));
    last = at;
  }, 5);
  histogram.enable();
  try {
    await work();
  } finally {
    clearInterval(tick);
    histogram.disable();
  }
  return {
    maxBlockedMs: max,
    basis: cpu ? "thread CPU time" : "wall clock",
    wallMaxMs: histogram.max / 1e6,
    wallP99Ms: histogram.percentile(99) / 1e6,
  };
}
