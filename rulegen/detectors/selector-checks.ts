import type { Monitor } from "../../spec/model/monitor.js";
import type { DetectorProblem } from "./detector.js";

/** Counter and step detectors take ranges over raw samples: the signal must be a selector. */
export function requireSelector(monitor: Monitor, what: string): DetectorProblem[] {
  if (monitor.signal.selector) return [];
  return [
    {
      code: "signal-not-selector",
      message: `the ${monitor.detector.type} detector needs a plain selector of ${what} (such as my_metric{job="x"}), not an expression`,
      path: ["signal"],
    },
  ];
}
