import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const seasonalParamsSchema = z
  .strictObject({
    type: z.literal("seasonal"),
    seasons: z
      .array(durationField())
      .min(1)
      .max(4)
      .default(["1d"])
      .describe("How far back the same time is looked up: 1d, 1w or both."),
    window: durationField()
      .default("1h")
      .describe(
        "Short-term window: today's level and spread, lagged so an anomaly cannot mask itself.",
      ),
    seasonal_window: durationField()
      .optional()
      .describe("Window centred on the same time a season ago (default: `window`)."),
    statistic: z
      .enum(["mean", "median"])
      .default("mean")
      .describe("mean/stddev, or median/MAD (scaled by 1.4826 to estimate a standard deviation)."),
    threshold: z
      .number()
      .positive()
      .default(3)
      .describe("Fire when the signal is further than this many spreads from the expected value."),
    direction: z.enum(["both", "up", "down"]).default("both").describe("Which deviations count."),
    short_term_weight: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        "Weight of the short-term spread in the band; the rest comes from the seasons' spread.",
      ),
    min_margin: z
      .number()
      .nonnegative()
      .default(0.003)
      .describe(
        "Absolute floor for the band's half-width, in the signal's units: at an expected value of 0 the relative floor is 0, so this keeps a series flat at 0 from paging on a hair's change.",
      ),
    min_relative_margin: z
      .number()
      .nonnegative()
      .default(0.05)
      .describe("Floor for the band's half-width as a fraction of |expected value|."),
    min_coverage: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.9)
      .describe("Warm-up gate: the share of each window that must hold samples."),
    bucket: durationField()
      .optional()
      .describe(
        "How often the short-term and seasonal statistics are recomputed (default window/6, between the evaluation interval and 1h).",
      ),
  })
  .describe(
    "The signal leaves the band expected at this time of day or week: the shape of the same time a season ago, moved to today's level, widened by the short-term and seasonal spread. Long-term parts run in a slower group.",
  );

export type SeasonalParams = z.output<typeof seasonalParamsSchema>;
