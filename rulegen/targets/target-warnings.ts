import type { SpecModel } from "../../spec/model/monitor.js";
import type { SpecProblem } from "../../spec/diagnostics/problem.js";
import type { Target } from "../../spec/model/target.js";

/**
 * What a target cannot do as the spec asks, said once per monitor. The rules are still
 * written (in the form the target accepts); these are warnings, not errors.
 */
export function targetWarnings(model: SpecModel, target: Target): SpecProblem[] {
  if (target !== "vmalert") return [];
  const warnings: SpecProblem[] = [];
  for (const monitor of model.monitors) {
    const at = ["monitors", monitor.specIndex];
    if (monitor.detector.type === "nonFinite") {
      warnings.push({
        code: "target-limitation",
        message:
          "vmalert: MetricsQL drops NaN samples, so this monitor only sees ±Inf there; count non-finite values at the source instead (aiwatch_training_nonfinite_values_total, preset training-loss-not-finite)",
        path: [...at, "detector"],
      });
    }
    if (monitor.keepFiringForMs !== undefined) {
      warnings.push({
        code: "target-limitation",
        message:
          "vmalert: keep_firing_for is not supported by vmalert 1.79 (Debian bookworm) and is left out",
        path: [...at, "keep_firing_for"],
      });
    }
  }
  return warnings;
}
