import { absentDetector } from "./absent/index.js";
import { anomalyDetector } from "./anomaly/index.js";
import type { DetectorDefinition } from "./detector.js";
import type { DetectorType, ParamsOf } from "../../spec/schema/detector-params.js";
import { increaseDetector } from "./increase/index.js";
import { nonFiniteDetector } from "./non-finite/index.js";
import { robustDetector } from "./robust/index.js";
import { seasonalDetector } from "./seasonal/index.js";
import { spikeDetector } from "./spike/index.js";
import { trendDetector } from "./trend/index.js";
import { forecastDetector } from "./forecast/index.js";
import { ratioDetector } from "./ratio/index.js";
import { sloBurnRateDetector } from "./slo-burn-rate/index.js";
import { stallDetector } from "./stall/index.js";
import { thresholdDetector } from "./threshold/index.js";
import { zscoreDetector } from "./zscore/index.js";

type Registry = { readonly [T in DetectorType]: DetectorDefinition<ParamsOf<T>> };

/** Every detector, by the `type` users write in the spec. */
export const DETECTORS: Registry = {
  anomaly: anomalyDetector,
  threshold: thresholdDetector,
  zscore: zscoreDetector,
  nonFinite: nonFiniteDetector,
  stall: stallDetector,
  absent: absentDetector,
  increase: increaseDetector,
  robust: robustDetector,
  seasonal: seasonalDetector,
  spike: spikeDetector,
  trend: trendDetector,
  forecast: forecastDetector,
  ratio: ratioDetector,
  sloBurnRate: sloBurnRateDetector,
};

/** The definition for a monitor's detector; the cast is safe because `type` selects it. */
export function detectorFor<T extends DetectorType>(type: T): DetectorDefinition<ParamsOf<T>> {
  return DETECTORS[type];
}
