import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const absentParamsSchema = z
  .strictObject({
    type: z.literal("absent"),
    lookback: durationField()
      .default("1h")
      .describe("With `by`: how long a group that stopped reporting is remembered and alerted on."),
  })
  .describe(
    "The stream stopped: without `by`, the whole signal is absent; with `by`, a group that reported within the lookback no longer does.",
  );

export type AbsentParams = z.output<typeof absentParamsSchema>;
