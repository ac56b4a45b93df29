import { detectorFor } from "../detectors/registry.js";
import type { Monitor } from "../../spec/model/monitor.js";
import { planSignalSource } from "../plan/signal-source.js";
import type { Labels } from "../testgen/scenario.js";
import type { FiringInterval } from "./firing-intervals.js";
import { parseSampleList } from "./promtool-output.js";
import type { WriteSeries } from "./remote-write.js";
import type { Sample } from "./series-file.js";

export interface SeriesFile {
  /** The name reports use: the path relative to the `--series` folder, or the file given. */
  readonly name: string;
  readonly samples: readonly Sample[];
}

/** One monitor's feed from one file: what is written, and how its alerts are recognised. */
export interface ReplayFeed {
  readonly file: string;
  readonly monitor: string;
  /** Labels every alert from this feed carries (the signal's output labels). */
  readonly outputLabels: Labels;
}

export interface ReplayBatch {
  readonly files: readonly SeriesFile[];
  readonly series: readonly WriteSeries[];
  readonly feeds: readonly ReplayFeed[];
}

/**
 * Several files replay in one Prometheus when each monitor can tell them apart: file i
 * feeds the monitor's i-th test group (distinct values of its grouping labels), as the
 * generated tests feed it. A monitor whose signal fixes every grouping label has one
 * group, so its files replay one at a time.
 */
export function planReplayBatches(
  monitors: readonly Monitor[],
  files: readonly SeriesFile[],
): ReplayBatch[] {
  const sources = monitors.map((monitor) => ({
    monitor,
    source: planSignalSource(monitor, detectorFor(monitor.detector.type).signalShape ?? "raw"),
  }));
  const capacity = Math.max(
    1,
    Math.min(...sources.map(({ source }) => source.groups(files.length).length)),
  );
  const batches: ReplayBatch[] = [];
  for (let at = 0; at < files.length; at += capacity) {
    const chunk = files.slice(at, at + capacity);
    const series: WriteSeries[] = [];
    const feeds: ReplayFeed[] = [];
    for (const { monitor, source } of sources) {
      const groups = source.groups(chunk.length);
      chunk.forEach((file, i) => {
        const group = groups[i] ?? {};
        series.push({
          labels: seriesLabels(source.inputSeries(group)),
          samples: file.samples.map((s) => ({ t: s.t, v: s.v })),
        });
        feeds.push({
          file: file.name,
          monitor: monitor.name,
          outputLabels: source.outputLabels(group),
        });
      });
    }
    batches.push({ files: chunk, series, feeds });
  }
  return batches;
}

/** The file an alert of a batch came from: the feed of its monitor whose labels it carries. */
export function feedOf(batch: ReplayBatch, interval: FiringInterval): ReplayFeed | undefined {
  return batch.feeds.find(
    (feed) =>
      feed.monitor === interval.monitor &&
      Object.entries(feed.outputLabels).every(([k, v]) => interval.labels[k] === v),
  );
}

/** `metric{a="1"}` (promtool's input-series notation) → labels with `__name__`. */
function seriesLabels(text: string): Record<string, string> {
  const brace = text.indexOf("{");
  const name = brace < 0 ? text : text.slice(0, brace);
  const [labels = {}] = brace < 0 ? [] : parseSampleList(text.slice(brace));
  return { ...labels, __name__: name };
}
