import { z } from "zod";
import { absentParamsSchema } from "./absent/params.js";
import { increaseParamsSchema } from "./increase/params.js";
import { nonFiniteParamsSchema } from "./non-finite/params.js";
import { robustParamsSchema } from "./robust/params.js";
import { seasonalParamsSchema } from "./seasonal/params.js";
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
]);

export type DetectorParams = z.output<typeof detectorParamsSchema>;
export type DetectorType = DetectorParams["type"];
export type ParamsOf<T extends DetectorType> = Extract<DetectorParams, { type: T }>;
