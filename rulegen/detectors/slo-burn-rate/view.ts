import { duration, numberLiteral } from "../../../core/promql/promql-text.js";
import type { Settings } from "../../../spec/model/monitor.js";
import type { DetectorView, SeriesSelect } from "../detector.js";
import { SLOW_WINDOW_MS, sloSeriesNames, slowIntervalMs } from "./rules.js";
import type { SloMonitor } from "./rules.js";
import { errorBudget, windowPairs } from "./windows.js";

/** The burn rate over each long window, from the recorded event counts the alerts read. */
export function sloView(
  monitor: SloMonitor,
  settings: Settings,
  select: SeriesSelect,
): DetectorView {
  const budget = numberLiteral(errorBudget(monitor.detector));
  const slow = duration(2 * slowIntervalMs(settings));
  const read = (name: string, windowMs: number): string =>
    windowMs >= SLOW_WINDOW_MS ? `last_over_time(${select.own(name)}[${slow}])` : select.own(name);
  const longWindows = [
    ...new Map(windowPairs(monitor.detector).map((p) => [p.longMs, p])).values(),
  ];
  return {
    lines: longWindows.map((pair) => {
      const names = sloSeriesNames(monitor, pair.longMs);
      return {
        expr: `${read(names.errors, pair.longMs)} / ${read(names.total, pair.longMs)} / ${budget}`,
        legend: `burn rate over ${pair.long} (alerts above ${numberLiteral(pair.burnRate)})`,
      };
    }),
    linesOnly: { unit: "none" },
  };
}
