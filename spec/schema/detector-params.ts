import { z } from "zod";
import { absentParamsSchema } from "./detectors/absent.js";
import { anomalyParamsSchema } from "./detectors/anomaly.js";
import { increaseParamsSchema } from "./detectors/increase.js";
import { nonFiniteParamsSchema } from "./detectors/non-finite.js";
import { robustParamsSchema } from "./detectors/robust.js";
import { seasonalParamsSchema } from "./detectors/seasonal.js";
import { spikeParamsSchema } from "./detectors/spike.js";
import { trendParamsSchema } from "./detectors/trend.js";
import { forecastParamsSchema } from "./detectors/forecast.js";
import { ratioParamsSchema } from "./detectors/ratio.js";
import { sloBurnRateParamsSchema } from "./detectors/slo-burn-rate.js";
import { stallParamsSchema } from "./detectors/stall.js";
import { thresholdParamsSchema } from "./detectors/threshold.js";
import { zscoreParamsSchema } from "./detectors/zscore.js";

export const detectorParamsSchema = z.discriminatedUnion("type", [
  anomalyParamsSchema,
  thresholdParamsSchema,
  zscoreParamsSchema,
  nonFiniteParamsSchema,
  stallParamsSchema,
  absentParamsSchema,
  increaseParamsSchema,
  robustParamsSchema,
  seasonalParamsSchema,
  spikeParamsSchema,
  trendParamsSchema,
  forecastParamsSchema,
  ratioParamsSchema,
  sloBurnRateParamsSchema,
]);

export type DetectorParams = z.output<typeof detectorParamsSchema>;
export type DetectorType = DetectorParams["type"];
export type ParamsOf<T extends DetectorType> = Extract<DetectorParams, { type: T }>;
