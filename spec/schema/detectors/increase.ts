import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

export const increaseParamsSchema = z
  .strictObject({
    type: z.literal("increase"),
    window: durationField().default("10m").describe("Window the increase is measured over."),
    threshold: z.number().nonnegative().default(0).describe("Fire when the increase exceeds this."),
    mode: z
      .enum(["counter", "changes"])
      .default("counter")
      .describe(
        "`counter`: increase() of a counter (resets handled). `changes`: a gauge holding the last event code, such as dcgm-exporter's DCGM_FI_DEV_XID_ERRORS; fires when it changed to a non-zero value.",
      ),
  })
  .describe("Events happened: a counter grew, or an event-code gauge changed.");

export type IncreaseParams = z.output<typeof increaseParamsSchema>;
