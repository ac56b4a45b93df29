import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const robustParamsSchema = z
  .strictObject({
    type: z.literal("robust"),
    window: durationField()
      .default("1h")
      .describe("Baseline window the median and the median absolute deviation are taken over."),
    threshold: z
      .number()
      .positive()
      .default(3)
      .describe("Fire when |x - median| exceeds this many median absolute deviations (MAD)."),
    direction: z.enum(["both", "up", "down"]).default("both").describe("Which deviations count."),
    min_margin: z
      .number()
      .nonnegative()
      .default(0.003)
      .describe(
        "Absolute floor for the band's half-width, in the signal's units: at median 0 the relative floor is 0, so this keeps a series flat at 0 from paging on a hair's change.",
      ),
    min_relative_margin: z
      .number()
      .nonnegative()
      .default(0.05)
      .describe(
        "Floor for the band's half-width as a fraction of |median|, so flat series (MAD 0) do not page on noise.",
      ),
    min_coverage: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.9)
      .describe("Warm-up gate: the share of the window that must hold samples before it can fire."),
    bucket: durationField()
      .optional()
      .describe(
        "How often the baseline is recomputed (default window/6, between the evaluation interval and 1h).",
      ),
  })
  .describe(
    "The signal leaves its median ± threshold x MAD band: robust to outliers and heavy tails. The median and MAD are recomputed once per bucket by a slower group, lagged so an anomaly does not mask itself.",
  );

export type RobustParams = z.output<typeof robustParamsSchema>;
