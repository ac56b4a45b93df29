import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";

const limit = z
  .union([z.number(), z.string().min(1)], {
    error: "expected a number or a PromQL selector of the limit series",
  })
  .optional();

export const forecastParamsSchema = z
  .strictObject({
    type: z.literal("forecast"),
    window: durationField().default("1h").describe("History the linear fit is taken over."),
    horizon: durationField().default("4h").describe("How far ahead the fit is extrapolated."),
    above: limit.describe(
      "Fire when the forecast exceeds this: a number, or a PromQL expression such as aiwatch_gpu_memory_total_bytes (matched on `by`).",
    ),
    below: limit.describe("Fire when the forecast falls below this (a number or an expression)."),
    min_coverage: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.5)
      .describe("Warm-up gate: the share of the window that must hold samples."),
  })
  .describe(
    "predict_linear says the signal reaches a limit (a number or another series, e.g. GPU memory total) within the horizon.",
  );

export type ForecastParams = z.output<typeof forecastParamsSchema>;
