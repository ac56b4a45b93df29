import { z } from "zod";
import { absentParamsSchema } from "./absent/params.js";
import { increaseParamsSchema } from "./increase/params.js";
import { nonFiniteParamsSchema } from "./non-finite/params.js";
import { robustParamsSchema } from "./robust/params.js";
import { seasonalParamsSchema } from "./seasonal/params.js";
import { spikeParamsSchema } from "./spike/params.js";
import { trendParamsSchema } from "./trend/params.js";
import { forecastParamsSchema } from "./forecast/params.js";
import { ratioParamsSchema } from "./ratio/params.js";
import { sloBurnRateParamsSchema } from "./slo-burn-rate/params.js";
import { stallParamsSchema } from "./stall/params.js";
import { thresholdParamsSchema } from "./threshold/params.js";
import { zscoreParamsSchema } from "./zscore/params.js";

export const detectorParamsSchema = z.discriminatedUnion("type", [
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
