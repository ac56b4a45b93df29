import type { MonitorContext } from "../../spec/context/spec-context.js";
import type { BandPlan, MonitorBands } from "../incidents/monitor-bands.js";
import { anyOf } from "./promql-text.js";
import type { Labels } from "./series.js";
import type { JoinLabel } from "./topology.js";

/**
 * The label an SLO burn-rate alert names its long window with, and the legend rulegen's
 * view gives that window's line (rulegen/detectors/slo-burn-rate: LONG_WINDOW_LABEL and
 * view.ts). test/webhook-receiver/evidence/view-signal.test.ts reads both from a compiled
 * spec, so a change there fails here.
 */
const LONG_WINDOW_LABEL = "long_window";
const burnRateLegend = (window: string): string => `burn rate over ${window} `;

/**
 * Which line of a monitor's view (its detector's band plan, narrowed to the alert's
 * group) is the alert's own signal: for an SLO burn-rate alert the burn rate over the long
 * window it names (one alert per window pair), else the first line (a ratio's only one).
 */
export function viewLineIndex(plan: BandPlan, alertLabels: Labels): number | undefined {
  if (plan.lines.length === 0) return undefined;
  const window = alertLabels[LONG_WINDOW_LABEL];
  const named =
    window === undefined
      ? -1
      : plan.lines.findIndex((line) => line.legend.startsWith(burnRateLegend(window)));
  return named >= 0 ? named : 0;
}

/** A monitor read through its view: a level (a ratio, a burn rate) in the view's unit. */
export function asViewed(monitor: MonitorContext): MonitorContext {
  const unit = monitor.compared.from === "view" ? monitor.compared.unit : monitor.unit;
  return { ...monitor, valueKind: "gauge", unit };
}

/**
 * A related monitor's view (its first line: a ratio, the burn rate over the spec's first
 * window pair) joined to the alert's topology, the union (`or`) over the joins; undefined
 * when the monitor compares its series as they are, has no view, or a join label is not
 * one its recorded series carry (only its `by` labels): then its counter is read instead.
 * A window without events is 0/0, NaN in PromQL: it says "no traffic", not a value, and
 * scored as one (a NaN is the strongest change there is) a model whose requests stopped
 * would be blamed at full strength, so those steps are left out (`> -Inf` is false for NaN).
 */
export function joinedViewQuery(
  monitor: MonitorContext,
  bands: MonitorBands | undefined,
  joins: readonly JoinLabel[],
): string | undefined {
  const view = bands?.get(monitor.name);
  if (monitor.compared.from !== "view" || !view || joins.length === 0) return undefined;
  if (joins.some((j) => !(monitor.by ?? []).includes(j.label))) return undefined;
  const parts = joins.map((j) => view([anyOf(j.label, j.values)])?.lines[0]?.expr);
  if (parts.some((p) => p === undefined)) return undefined;
  return parts.map((p) => `(${p ?? ""}) > -Inf`).join(" or ");
}
