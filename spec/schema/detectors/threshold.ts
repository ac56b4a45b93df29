import { z } from "zod";

export const thresholdParamsSchema = z
  .strictObject({
    type: z.literal("threshold"),
    above: z.number().optional().describe("Fire while the signal is greater than this value."),
    below: z.number().optional().describe("Fire while the signal is less than this value."),
  })
  .describe(
    "The signal crosses a fixed value. Hysteresis comes from the monitor's keep_firing_for.",
  );

export type ThresholdParams = z.output<typeof thresholdParamsSchema>;
