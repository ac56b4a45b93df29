import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const ratioParamsSchema = z
  .strictObject({
    type: z.literal("ratio"),
    total: z
      .string()
      .min(1)
      .describe(
        "Selector of the denominator counter (e.g. aiwatch_inference_predictions_labelled_total); the signal is the numerator counter.",
      ),
    window: durationField()
      .default("1h")
      .describe("Window both counters' increases are taken over."),
    below: z
      .number()
      .optional()
      .describe("Fire while numerator/total is below this (e.g. accuracy)."),
    above: z
      .number()
      .optional()
      .describe("Fire while numerator/total is above this (e.g. a failure share)."),
    min_events: z
      .number()
      .min(1)
      .default(100)
      .describe(
        "The denominator must count at least this many events in the window (no verdict on 3 samples).",
      ),
  })
  .describe(
    "A quality ratio of two counters, such as accuracy = correct / labelled, over a window, with a minimum-events gate. The increases are recorded, so they re-aggregate.",
  );

export type RatioParams = z.output<typeof ratioParamsSchema>;
