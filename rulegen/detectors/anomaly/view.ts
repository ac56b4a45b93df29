import { duration } from "../../../core/promql/promql-text.js";
import type { Settings } from "../../../spec/model/monitor.js";
import type { DetectorView, SeriesSelect } from "../detector.js";
import { anomalyLayout, anomalySeriesNames } from "./layout.js";
import type { AnomalyMonitor } from "./layout.js";

/** The bounds the alert compares the signal with. */
export function anomalyView(
  monitor: AnomalyMonitor,
  settings: Settings,
  select: SeriesSelect,
): DetectorView {
  const names = anomalySeriesNames(monitor);
  const readback = duration(anomalyLayout(monitor, settings).readbackMs);
  const read = (name: string): string => `last_over_time(${select.own(name)}[${readback}])`;
  const lines: { expr: string; legend: string }[] = [];
  if (monitor.detector.direction !== "down")
    lines.push({ expr: read(names.upper), legend: "upper bound" });
  if (monitor.detector.direction !== "up")
    lines.push({ expr: read(names.lower), legend: "lower bound" });
  return { lines };
}
