import type { SpecProblem } from "../../spec/diagnostics/problem.js";
import type { SpecModel } from "../../spec/model/monitor.js";
import { detectorFor } from "../detectors/registry.js";

/** Each detector's warnings (few samples per window, gates that cannot be met), per monitor. */
export function detectorWarnings(model: SpecModel): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const monitor of model.monitors) {
    const warnings = detectorFor(monitor.detector.type).warnings?.(monitor, model.settings) ?? [];
    for (const p of warnings)
      problems.push({ ...p, path: ["monitors", monitor.specIndex, ...p.path] });
  }
  return problems;
}
