import { z } from "zod";

export const nonFiniteParamsSchema = z
  .strictObject({ type: z.literal("nonFinite") })
  .describe("The signal is NaN, +Inf or -Inf (a diverged loss, a broken metric).");

export type NonFiniteParams = z.output<typeof nonFiniteParamsSchema>;
