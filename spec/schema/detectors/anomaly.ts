import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const anomalyParamsSchema = z
  .strictObject({
    type: z.literal("anomaly"),
    direction: z
      .enum(["both", "up", "down"])
      .default("both")
      .describe("Which way counts: above the usual peaks, below the usual troughs, or both."),
    threshold: z
      .number()
      .positive()
      .default(3.5)
      .describe(
        "How far past the usual peak a value must be, in spreads of the peaks: fire above p50 + threshold x (p90 - p50) of the bucket peaks (below the mirror image of the troughs).",
      ),
    window: durationField()
      .default("1w")
      .describe(
        "History the usual peaks and troughs are learned from; a week holds every hour of a daily and a weekly cycle.",
      ),
    bucket: durationField()
      .default("1h")
      .describe(
        "The peak (max) and trough (min) of the signal are recorded once per bucket; statistics of bucket peaks give the same false-alarm rate per hour whatever the sample interval.",
      ),
    recent: durationField()
      .optional()
      .describe(
        "A value must also pass every bucket peak (trough) of this long (default: half the window): a level already seen in the last days is not news, and a lasting level change pages once.",
      ),
    min_relative_margin: z
      .number()
      .nonnegative()
      .default(0.05)
      .describe(
        "Floor for the spread as a fraction of the median peak, so a flat series does not page on a hair's change.",
      ),
    min_margin: z
      .number()
      .nonnegative()
      .default(0)
      .describe(
        "Absolute floor for the spread, in the signal's units (0: a series flat at exactly 0 pages on any change).",
      ),
  })
  .describe(
    "General-purpose anomaly detection, the one to reach for first: the signal leaves the range its bucket peaks and troughs kept over the last week, by a margin, and goes beyond anything seen in the last days. Holds on any sample interval, daily and weekly cycles, heavy tails, flat series and gaps; pages once per incident (keep_firing_for: one bucket) and re-learns after a lasting level change.",
  );

export type AnomalyParams = z.output<typeof anomalyParamsSchema>;
