import { duration } from "../../../core/promql/promql-text.js";
import { planSignalSource } from "../../plan/signal-source.js";
import type { DetectorView, SeriesSelect } from "../detector.js";
import { robustLayout, robustSeriesNames } from "./layout.js";
import type { RobustMonitor } from "./layout.js";
import type { Settings } from "../../../spec/model/monitor.js";

/** The median and median ± band (k·MAD, floored) the alert compares against. */
export function robustView(
  monitor: RobustMonitor,
  settings: Settings,
  select: SeriesSelect,
): DetectorView {
  const names = robustSeriesNames(monitor);
  const readback = duration(
    robustLayout(monitor, settings, planSignalSource(monitor, "range").recorded).readbackMs,
  );
  const read = (name: string): string => `last_over_time(${select.own(name)}[${readback}])`;
  const lines = [{ expr: read(names.median), legend: "median" }];
  if (monitor.detector.direction !== "down")
    lines.push({ expr: `${read(names.median)} + ${read(names.band)}`, legend: "upper band" });
  if (monitor.detector.direction !== "up")
    lines.push({ expr: `${read(names.median)} - ${read(names.band)}`, legend: "lower band" });
  return { lines };
}
