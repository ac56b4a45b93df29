import { parsePromql } from "../../core/promql/parse-promql.js";
import type { VectorSelectorInfo } from "../../core/promql/parse-promql.js";
import { formatSeries } from "../plan/signal-source.js";
import { labelsSatisfying } from "../testgen/synthetic-labels.js";
import type { Labels } from "../testgen/scenario.js";
import type { DetectorProblem } from "./detector.js";

/** Checks a detector parameter that must be a plain selector of a counter. */
export function checkCounterSelector(
  text: string,
  path: readonly (string | number)[],
): DetectorProblem[] {
  const parsed = parsePromql(text);
  const where = path.filter((p) => typeof p === "string").join(".");
  if (parsed.problems[0])
    return [{ code: "invalid-promql", message: `${where}: ${parsed.problems[0].message}`, path }];
  if (!parsed.selector)
    return [
      {
        code: "signal-not-selector",
        message: `${where} must be a plain selector of a counter (such as my_requests_total{job="x"})`,
        path,
      },
    ];
  const synthesis = labelsSatisfying(parsed.selector.matchers);
  if (!synthesis.ok)
    return [
      {
        code: "untestable-signal",
        message: `${where}: cannot find a label value for the generated tests; use a simpler regular expression`,
        path,
      },
    ];
  return [];
}

export function selectorOf(text: string): VectorSelectorInfo | undefined {
  return parsePromql(text).selector;
}

/** A test input series for a selector, in one group. */
export function seriesFor(text: string, group: Labels, extra: Labels = {}): string {
  const selector = selectorOf(text);
  const fixed = selector ? labelsSatisfying(selector.matchers) : undefined;
  const labels: Record<string, string> = { ...(fixed?.ok ? fixed.labels : {}), ...group, ...extra };
  const metric = selector?.metricName ?? labels["__name__"] ?? "";
  delete labels["__name__"];
  return formatSeries(metric, labels);
}

/** The monitor's `by` must be set (possibly empty) when two counters are divided. */
export function requireBy(by: readonly string[] | undefined, example: string): DetectorProblem[] {
  if (by !== undefined) return [];
  return [
    {
      code: "missing-key",
      message: `the counters are summed per group before they are divided: set \`by\` (${example}, or [] for one total)`,
      path: [],
    },
  ];
}
