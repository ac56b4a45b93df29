import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const stallParamsSchema = z
  .strictObject({
    type: z.literal("stall"),
    window: durationField()
      .default("30m")
      .describe("How long the step or counter must stay unchanged."),
    running: z
      .string()
      .optional()
      .describe(
        "Selector of a series that is > 0 while the job runs (joined on `by`); a finished job does not page.",
      ),
  })
  .describe(
    "A step or counter stopped increasing while the job is still reported. A job that disappeared or finished does not page.",
  );

export type StallParams = z.output<typeof stallParamsSchema>;
