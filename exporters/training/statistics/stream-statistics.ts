import { SortedWindow } from "./sorted-window.js";
import type { StatisticsSettings, StreamPolicy } from "./stream-policy.js";
import { TrailingBest } from "./trailing-best.js";

/** 1.4826 x MAD estimates the standard deviation of normal data. */
const MAD_TO_SIGMA = 1.4826;
/** Blocks the best-level span is kept in (see TrailingBest). */
const BEST_BLOCKS = 16;
/** Level widths are at most this (the config says so). */
export const MAX_LEVEL_WIDTH = 64;
const scratch = new Float64Array(MAX_LEVEL_WIDTH);

/** What one value did, as the counters record it. */
export interface StepVerdict {
  /** 1: above the band, -1: below it, 0: inside (or not judged yet). */
  readonly outlier: -1 | 0 | 1;
  readonly degraded: boolean;
}

/** Every verdict, made once: observing a value allocates nothing. */
const VERDICTS: readonly StepVerdict[] = [false, true].flatMap((degraded) =>
  ([-1, 0, 1] as const).map((outlier) => ({ outlier, degraded })),
);

/**
 * The step-resolution state of one stream (one run's train loss, its grad norm, ...):
 * a window of its last values and, for streams with a level test, the best level seen
 * lately. Memory is fixed by the settings (see `bytes`), whatever the run's length.
 */
export class StreamStatistics {
  private readonly window: SortedWindow;
  private readonly best: TrailingBest | undefined;

  constructor(
    private readonly policy: StreamPolicy,
    private readonly settings: StatisticsSettings,
  ) {
    this.window = new SortedWindow(settings.window);
    this.best = policy.level
      ? new TrailingBest(policy.level.bestOf, BEST_BLOCKS, policy.level.higherIsBetter)
      : undefined;
  }

  get bytes(): number {
    return this.window.bytes + (this.best?.bytes ?? 0);
  }

  get size(): number {
    return this.window.size;
  }

  median(): number {
    return this.window.median();
  }

  min(): number {
    return this.window.min();
  }

  max(): number {
    return this.window.max();
  }

  /** Judges a finite value against the values before it, then keeps it. */
  observe(value: number): StepVerdict {
    const window = this.window;
    let outlier: -1 | 0 | 1 = 0;
    if (window.size > 0) {
      const center = window.median();
      const scale = Math.abs(center);
      const distance = Math.abs(value - center);
      const warm = window.size >= this.settings.warmup;
      // The band is at least spike x |median| wide: a value that close is inside it,
      // whatever the MAD, so the MAD is computed only for the few values beyond.
      const floor = warm ? this.policy.spike * scale : this.settings.warmupFactor * scale;
      if (distance > floor) {
        const margin = warm
          ? Math.max(
              this.policy.mads * MAD_TO_SIGMA * window.medianAbsoluteDeviation(center),
              floor,
            )
          : floor;
        // A margin of 0 (a constant stream at 0, such as DeepSpeed's placeholder grad
        // norm) has no band to leave.
        if (margin > 0 && distance > margin) outlier = value > center ? 1 : -1;
      }
    }
    window.push(value);
    const level = this.policy.level;
    let degraded = false;
    if (level && this.best && window.size >= level.width) {
      const current = window.recentMedian(level.width, scratch);
      this.best.push(current);
      const best = this.best.value();
      const worse = level.higherIsBetter ? best - current : current - best;
      degraded = worse > level.worse * Math.abs(best);
    }
    return VERDICTS[outlier + 1 + (degraded ? 3 : 0)] as StepVerdict;
  }
}
