import type { Monitor, Settings } from "../spec/model/monitor.js";
import type { DetectorView, SeriesSelect } from "./detectors/detector.js";
import { detectorFor } from "./detectors/registry.js";
import { planSignalSource } from "./plan/signal-source.js";
import type { SignalShape } from "./plan/signal-source.js";

export type { DetectorView, SeriesSelect, SignalShape };

/**
 * What a monitor's rules record, for readers that draw it (dashboards): rulegen's public
 * face for its detectors, so no reader reaches into the planner.
 */
export interface MonitorSeries {
  /** How the detector reads its signal; undefined when it reads several series. */
  readonly signalShape: SignalShape | undefined;
  /** PromQL for the signal as the detector reads it in `shape`, and whether it is recorded. */
  signal(shape: SignalShape): { readonly ref: string; readonly recorded: boolean };
  /** The record name of the signal's own recording, when the rules record it. */
  readonly signalRecord: string | undefined;
  /** The detector's band, baseline or threshold, drawn from the series the alert compares. */
  view(select: SeriesSelect): DetectorView | undefined;
}

export function monitorSeries(monitor: Monitor, settings: Settings): MonitorSeries {
  const detector = detectorFor(monitor.detector.type);
  return {
    signalShape: detector.signalShape,
    signal: (shape) => {
      const source = planSignalSource(monitor, shape);
      return { ref: source.ref, recorded: source.recorded };
    },
    signalRecord: planSignalSource(monitor, "inline").recording?.record,
    view: (select) => detector.view?.(monitor, settings, select),
  };
}
