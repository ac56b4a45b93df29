import type { SpecModel } from "../../spec/model/monitor.js";
import { formatMatcher } from "../../core/promql/promql-text.js";
import { labelsSatisfying } from "../testgen/synthetic-labels.js";
import type { SpecProblem } from "../../spec/diagnostics/problem.js";

/** A generated test must be able to write a series the signal's selector selects. */
export function checkTestable(model: SpecModel): SpecProblem[] {
  return model.monitors.flatMap((monitor) => {
    const selector = monitor.signal.selector;
    if (!selector) return [];
    const synthesis = labelsSatisfying(selector.matchers);
    if (synthesis.ok) return [];
    return [
      {
        code: "untestable-signal" as const,
        message: `cannot find a label value matching ${formatMatcher(synthesis.matcher)} for the generated tests; use a simpler regular expression (such as a|b)`,
        path: ["monitors", monitor.specIndex, "signal"],
      },
    ];
  });
}
