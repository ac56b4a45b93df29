import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const spikeParamsSchema = z
  .strictObject({
    type: z.literal("spike"),
    window: durationField().default("30m").describe("Trailing window the median is taken over."),
    factor: z
      .number()
      .gt(1)
      .default(3)
      .describe(
        "Fire when the signal is more than factor x its trailing median (up), or less than median / factor (down).",
      ),
    direction: z.enum(["up", "down"]).default("up").describe("Spikes up or drops down."),
    min_baseline: z
      .number()
      .nonnegative()
      .default(0)
      .describe("The median must exceed this for a ratio to mean anything (no division by ~0)."),
    min_coverage: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.9)
      .describe("Warm-up gate: the share of the window that must hold samples."),
  })
  .describe(
    "The signal jumps to a multiple of its trailing median (a loss spike, a burst of errors). The median ends one evaluation before `for` starts, so the spike is not part of it.",
  );

export type SpikeParams = z.output<typeof spikeParamsSchema>;
