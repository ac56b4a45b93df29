import { absentDetector } from "./absent/index.js";
import type { DetectorDefinition } from "./detector.js";
import type { DetectorType, ParamsOf } from "./detector-params.js";
import { increaseDetector } from "./increase/index.js";
import { nonFiniteDetector } from "./non-finite/index.js";
import { robustDetector } from "./robust/index.js";
import { seasonalDetector } from "./seasonal/index.js";
import { stallDetector } from "./stall/index.js";
import { thresholdDetector } from "./threshold/index.js";
import { zscoreDetector } from "./zscore/index.js";

type Registry = { readonly [T in DetectorType]: DetectorDefinition<ParamsOf<T>> };

/** Every detector, by the `type` users write in the spec. */
export const DETECTORS: Registry = {
  threshold: thresholdDetector,
  zscore: zscoreDetector,
  nonFinite: nonFiniteDetector,
  stall: stallDetector,
  absent: absentDetector,
  increase: increaseDetector,
  robust: robustDetector,
  seasonal: seasonalDetector,
};

/** The definition for a monitor's detector; the cast is safe because `type` selects it. */
export function detectorFor<T extends DetectorType>(type: T): DetectorDefinition<ParamsOf<T>> {
  return DETECTORS[type];
}
