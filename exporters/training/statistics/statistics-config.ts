import { z } from "zod";
import { MAX_LEVEL_WIDTH } from "./stream-statistics.js";
import type { StatisticsSettings, StreamPolicy } from "./stream-policy.js";

const band = {
  spike: z
    .number()
    .positive()
    .describe("Relative floor of the band: an outlier is more than this x |median| away."),
  mads: z
    .number()
    .positive()
    .describe("Width of the band in robust standard deviations (1.4826 x MAD)."),
};

const level = {
  level: z
    .number()
    .int()
    .min(1)
    .max(MAX_LEVEL_WIDTH)
    .describe("Values whose median is the stream's level (1: every value is its own level)."),
  worse: z
    .number()
    .positive()
    .describe("A step is degraded when its level is worse than the best level by this x |best|."),
  best_of: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .describe("Logged steps the best level is taken over."),
};

const withLevel = (defaults: {
  spike: number;
  mads: number;
  level: number;
  worse: number;
  best_of: number;
}) =>
  z
    .strictObject({
      spike: band.spike.default(defaults.spike),
      mads: band.mads.default(defaults.mads),
      level: level.level.default(defaults.level),
      worse: level.worse.default(defaults.worse),
      best_of: level.best_of.default(defaults.best_of),
    })
    .default(defaults);

/**
 * `collectors.training.statistics`: the step-resolution tests (see stream-policy.ts).
 * The defaults were chosen on the real logs in ../shared/fixtures/training-dev (every
 * documented incident caught, the clean runs silent) and are the same for every run.
 */
export const statisticsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    window: z.number().int().min(8).max(1024).default(64),
    warmup: z.number().int().min(1).max(1024).default(8),
    warmup_factor: z.number().positive().default(1),
    loss: withLevel({ spike: 0.15, mads: 4, level: 7, worse: 0.12, best_of: 1000 }),
    eval: withLevel({ spike: 0.15, mads: 4, level: 1, worse: 0.03, best_of: 1000 }),
    grad_norm: z
      .strictObject({ spike: band.spike.default(2), mads: band.mads.default(4) })
      .default({ spike: 2, mads: 4 }),
    throughput: withLevel({ spike: 0.5, mads: 4, level: 5, worse: 0.3, best_of: 64 }),
    overflow: z
      .strictObject({
        iterations: z.number().int().positive().default(100),
        skipped: z.number().int().positive().default(3),
      })
      .default({ iterations: 100, skipped: 3 })
      .describe(
        "An overflow step: at least `skipped` skipped iterations within the last `iterations`.",
      ),
  })
  .prefault({});

export type StatisticsConfig = z.output<typeof statisticsConfigSchema>;

/** The kinds of stream the collector judges, each with its policy. */
export type StreamKind = "loss" | "eval" | "grad_norm" | "throughput";

export interface StatisticsPolicies {
  readonly settings: StatisticsSettings;
  readonly overflow: { readonly iterations: number; readonly skipped: number };
  policy(kind: StreamKind, higherIsBetter: boolean): StreamPolicy;
}

export function statisticsPolicies(config: StatisticsConfig): StatisticsPolicies {
  const leveled = (c: StatisticsConfig["loss"], higherIsBetter: boolean): StreamPolicy => ({
    spike: c.spike,
    mads: c.mads,
    level: { width: c.level, worse: c.worse, bestOf: c.best_of, higherIsBetter },
  });
  const made = new Map<StreamKind, [StreamPolicy, StreamPolicy]>();
  const make = (kind: StreamKind, higherIsBetter: boolean): StreamPolicy => {
    switch (kind) {
      case "loss":
        return leveled(config.loss, false);
      case "eval":
        return leveled(config.eval, higherIsBetter);
      case "throughput":
        return leveled(config.throughput, true);
      case "grad_norm":
        return { spike: config.grad_norm.spike, mads: config.grad_norm.mads };
    }
  };
  return {
    settings: { window: config.window, warmup: config.warmup, warmupFactor: config.warmup_factor },
    overflow: config.overflow,
    // One policy object per kind, shared by every stream of that kind.
    policy(kind, higherIsBetter) {
      let pair = made.get(kind);
      if (!pair) {
        pair = [make(kind, false), make(kind, true)];
        made.set(kind, pair);
      }
      return pair[higherIsBetter ? 1 : 0];
    },
  };
}
