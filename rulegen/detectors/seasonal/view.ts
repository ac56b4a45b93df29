import { duration } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import type { Settings } from "../../../spec/model/monitor.js";
import type { DetectorView, SeriesSelect } from "../detector.js";
import { seasonalLayout, seasonalSeriesNames } from "./layout.js";
import type { SeasonalMonitor } from "./layout.js";

/** The value expected at this time of the season, and expected ± the seasonal band. */
export function seasonalView(
  monitor: SeasonalMonitor,
  settings: Settings,
  select: SeriesSelect,
): DetectorView {
  const names = seasonalSeriesNames(monitor);
  const readback = duration(
    seasonalLayout(monitor, settings, planSignalSource(monitor, "range").recorded).readbackMs,
  );
  const read = (name: string): string => `last_over_time(${select.own(name)}[${readback}])`;
  const lines = [{ expr: read(names.expected), legend: "expected" }];
  if (monitor.detector.direction !== "down")
    lines.push({ expr: `${read(names.expected)} + ${read(names.band)}`, legend: "upper band" });
  if (monitor.detector.direction !== "up")
    lines.push({ expr: `${read(names.expected)} - ${read(names.band)}`, legend: "lower band" });
  return { lines };
}
