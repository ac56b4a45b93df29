import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const trendParamsSchema = z
  .strictObject({
    type: z.literal("trend"),
    window: durationField().default("30m").describe("Window the slope (deriv) is fitted over."),
    direction: z
      .enum(["up", "down"])
      .default("up")
      .describe("Rising (a diverging loss) or falling."),
    min_change: z
      .number()
      .nonnegative()
      .default(0)
      .describe("Fire when the fitted change over the window exceeds this absolute amount..."),
    min_relative_change: z
      .number()
      .nonnegative()
      .lte(1)
      .default(0.1)
      .describe("...and this fraction of the window's mean (|mean|)."),
    min_coverage: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.9)
      .describe("Warm-up gate: the share of the window that must hold samples."),
  })
  .describe(
    "The signal keeps rising (or falling): the least-squares slope over the window, times the window, exceeds both thresholds (e.g. a diverging loss).",
  );

export type TrendParams = z.output<typeof trendParamsSchema>;
