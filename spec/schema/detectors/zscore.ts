import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const zscoreParamsSchema = z
  .strictObject({
    type: z.literal("zscore"),
    window: durationField()
      .default("1h")
      .describe("Baseline window the mean and standard deviation are taken over."),
    threshold: z
      .number()
      .positive()
      .default(3)
      .describe("Fire when |x - mean| exceeds this many standard deviations."),
    direction: z.enum(["both", "up", "down"]).default("both").describe("Which deviations count."),
    min_stddev: z
      .number()
      .nonnegative()
      .default(0.001)
      .describe(
        "Absolute floor for the standard deviation, in the signal's units: with the relative floor at |mean| = 0 it is the only one, so a series flat at 0 does not divide by 0.",
      ),
    min_relative_stddev: z
      .number()
      .nonnegative()
      .default(0.01)
      .describe(
        "Floor for the standard deviation as a fraction of |mean|, so flat series do not divide by ~0.",
      ),
    min_coverage: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.9)
      .describe(
        "Warm-up gate: the share of the window that must hold data before the monitor can fire.",
      ),
    bucket: durationField()
      .optional()
      .describe(
        "Resolution of the baseline (default window/6, between the evaluation interval and 1h).",
      ),
  })
  .describe(
    "The signal deviates from its own recent baseline. Statistics are recorded per bucket by a slower group and combined over the window, lagged so an anomaly does not mask itself.",
  );

export type ZscoreParams = z.output<typeof zscoreParamsSchema>;
