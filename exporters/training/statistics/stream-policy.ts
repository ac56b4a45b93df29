/**
 * How one kind of stream is judged at every logged step. Two tests run at ingest:
 *
 * - the **band**: a value is an outlier when it leaves the trailing robust band of the
 *   previous `window` values, median ± max(mads x 1.4826 x MAD, spike x |median|). The
 *   relative floor keeps a smooth stream from flagging its own noise; the MAD term keeps a
 *   noisy one from flagging every wobble. Until `warmup` values are held, only a value
 *   beyond median ± warmupFactor x |median| counts (a doubling of the loss at step 3).
 * - the **level**: the median of the last `level` values, against the best level of the
 *   last `bestOf` values; the step is *degraded* when the level is worse than that best by
 *   more than `worse` x |best|. The median makes it need a sustained change (a single
 *   spike never moves it), the best makes a slow climb add up.
 */
export interface StreamPolicy {
  readonly spike: number;
  readonly mads: number;
  /** Absent: the stream has no level test. */
  readonly level?: {
    readonly width: number;
    readonly worse: number;
    readonly bestOf: number;
    readonly higherIsBetter: boolean;
  };
}

export interface StatisticsSettings {
  /** Values in the trailing band, and the span of the window extremes. */
  readonly window: number;
  readonly warmup: number;
  readonly warmupFactor: number;
}
