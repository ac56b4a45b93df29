import { duration } from "../../../core/promql/promql-text.js";
import type { Settings } from "../../../spec/model/monitor.js";
import type { DetectorView, SeriesSelect } from "../detector.js";
import { zscoreLayout } from "./layout.js";
import type { ZscoreMonitor } from "./layout.js";
import { zscoreSeriesNames } from "./rules.js";

/** The baseline mean and mean ± band (k·stddev, floored): what the alert compares. */
export function zscoreView(
  monitor: ZscoreMonitor,
  settings: Settings,
  select: SeriesSelect,
): DetectorView {
  const names = zscoreSeriesNames(monitor, settings);
  const readback = duration(zscoreLayout(monitor, settings).readbackMs);
  const read = (name: string): string => `last_over_time(${select.own(name)}[${readback}])`;
  const lines = [{ expr: read(names.mean), legend: "baseline mean" }];
  if (monitor.detector.direction !== "down")
    lines.push({
      expr: `${read(names.mean)} + ${read(names.band)}`,
      legend: "upper band",
    });
  if (monitor.detector.direction !== "up")
    lines.push({
      expr: `${read(names.mean)} - ${read(names.band)}`,
      legend: "lower band",
    });
  return { lines };
}
