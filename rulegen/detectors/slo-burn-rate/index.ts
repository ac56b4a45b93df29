import { durationMs } from "../../../core/config/zod-fields.js";
import { sloView } from "./view.js";
import { numberLiteral } from "../../../core/promql/promql-text.js";
import { groupText, percentLiteral, titleOf } from "../annotation-text.js";
import { checkCounterSelector, requireBy } from "../counter-selectors.js";
import type { DetectorDefinition, DetectorProblem } from "../detector.js";
import { requireSelector } from "../selector-checks.js";
import type { SloBurnRateParams } from "../../../spec/schema/detectors/slo-burn-rate.js";
import { planSloRules } from "./rules.js";
import { planSloTests } from "./tests.js";

export const sloBurnRateDetector: DetectorDefinition<SloBurnRateParams> = {
  type: "sloBurnRate",
  signalShape: undefined,
  defaultForMs: () => 2 * 60_000,

  check(monitor): DetectorProblem[] {
    const params = monitor.detector;
    const problems: DetectorProblem[] = [
      ...requireSelector(
        monitor,
        params.latency_threshold !== undefined
          ? "a histogram's _bucket series"
          : "the bad-events counter",
      ),
      ...requireBy(monitor.by, "e.g. [model]"),
    ];
    if ((params.total === undefined) === (params.latency_threshold === undefined)) {
      problems.push({
        code: "invalid-value",
        message:
          "set exactly one of `total` (ratio SLI: the signal counts bad events) or `latency_threshold` (latency SLI: the signal is a histogram's _bucket series)",
        path: ["detector"],
      });
    }
    if (params.total !== undefined)
      problems.push(...checkCounterSelector(params.total, ["detector", "total"]));
    const metric = monitor.signal.selector?.metricName;
    const latencyOnly = params.latency_threshold !== undefined && params.total === undefined;
    if (latencyOnly && metric !== undefined && !metric.endsWith("_bucket")) {
      problems.push({
        code: "invalid-value",
        message: `a latency SLI reads a classic histogram: the signal must select its _bucket series (got ${metric})`,
        path: ["signal"],
      });
    }
    (params.windows ?? []).forEach((w, i) => {
      if (durationMs(w.short) >= durationMs(w.long))
        problems.push({
          code: "invalid-value",
          message: `detector.windows[${i}]: the short window (${w.short}) must be shorter than the long one (${w.long})`,
          path: ["detector", "windows", i, "short"],
        });
    });
    return problems;
  },

  planRules: planSloRules,
  planTests: planSloTests,

  defaultAnnotations(monitor) {
    const params = monitor.detector;
    const sli =
      params.latency_threshold !== undefined
        ? `requests slower than ${numberLiteral(params.latency_threshold)}s`
        : "bad events";
    return {
      summary: `${titleOf(monitor)}: error budget burning {{ printf "%.1f" $value }}x too fast over {{ $labels.long_window }}${groupText(monitor)}`,
      description: `The share of ${sli} over the last {{ $labels.long_window }} (and still over {{ $labels.short_window }}) spends the error budget of the ${percentLiteral(params.objective)} objective {{ printf "%.1f" $value }} times faster than the ${params.period} period allows. Layer: ${monitor.layer}.`,
    };
  },

  view: sloView,
};
