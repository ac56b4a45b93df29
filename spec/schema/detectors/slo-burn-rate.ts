import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";
import { SEVERITIES } from "../../model/monitor.js";

export const burnWindowSchema = z
  .strictObject({
    long: durationField().describe("Long window: the budget really is burning."),
    short: durationField().describe("Short window: it is still burning now (resets fast)."),
    burn_rate: z.number().positive().describe("Burn-rate factor both windows must exceed."),
    severity: z.enum(SEVERITIES).optional().describe("Severity of this pair's alert."),
  })
  .describe("One window pair of a multi-window, multi-burn-rate alert.");

export const sloBurnRateParamsSchema = z
  .strictObject({
    type: z.literal("sloBurnRate"),
    objective: z
      .number()
      .gt(0)
      .lt(1)
      .describe("Share of good events promised over the period, e.g. 0.999."),
    total: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Ratio SLI: selector of the total-events counter; the signal counts the bad events.",
      ),
    latency_threshold: z
      .number()
      .positive()
      .optional()
      .describe(
        "Latency SLI: the signal is a classic histogram's _bucket selector; events slower than this `le` bucket (seconds) are bad.",
      ),
    period: durationField()
      .default("30d")
      .describe("SLO period the default burn rates are derived for."),
    min_events: z
      .number()
      .min(1)
      .default(10)
      .describe("The long window must hold at least this many events (no page on 3 requests)."),
    windows: z
      .array(burnWindowSchema)
      .min(1)
      .optional()
      .describe(
        "Window pairs (default: 2% of the budget in 1h/5m and 5% in 6h/30m page; 10% in 1d/2h and 3d/6h open a ticket).",
      ),
  })
  .describe(
    "Multi-window, multi-burn-rate SLO alerts on a ratio SLI (bad/total counters) or a latency SLI (classic histogram), one alert per window pair, with recorded event counts so ratios re-aggregate.",
  );

export type SloBurnRateParams = z.output<typeof sloBurnRateParamsSchema>;
export type BurnWindow = z.output<typeof burnWindowSchema>;
