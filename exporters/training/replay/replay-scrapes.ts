import { renderLabels } from "../../exposition/escape.js";
import { ExpositionRegistry } from "../../exposition/exposition-registry.js";
import { MetricClassifier } from "../model/metric-mapping.js";
import { createTrainingFamilies } from "../model/training-families.js";
import { TrainingRuns } from "../model/training-runs.js";
import type { StatisticsPolicies } from "../statistics/statistics-config.js";
import type { TimedRecord } from "./replay-clock.js";

/** A counter of the collector moved: when, at which step, by how much. */
export interface CounterEvent {
  /** The series as the exposition writes it (`name{labels}`). */
  readonly series: string;
  readonly atMs: number;
  readonly step: number | undefined;
  readonly by: number;
}

export interface ScrapedSeries {
  /** Values at each scrape; undefined where the series was not exposed. */
  readonly values: (number | undefined)[];
}

export interface ReplayScrapes {
  readonly scrapeIntervalMs: number;
  /** Scrape times: 0, interval, 2 x interval, ... up to the end. */
  readonly times: readonly number[];
  readonly series: ReadonlyMap<string, ScrapedSeries>;
  readonly events: readonly CounterEvent[];
  /** The step the run had reached at each scrape. */
  readonly steps: readonly (number | undefined)[];
}

export interface ReplayScrapeOptions {
  readonly scrapeIntervalMs: number;
  /** How long to keep scraping after the last record. */
  readonly tailMs: number;
  readonly statistics: StatisticsPolicies | undefined;
  readonly maxMetricsPerRun: number;
}

/**
 * Feeds the records through the real training collector (a TrainingRuns on its own
 * registry, the clock at each record's time) and reads its exposition at every scrape,
 * as Prometheus would. Between two scrapes every record is applied, so what the
 * exporter keeps between scrapes (its step counters) is what the rules see.
 */
export function scrapeReplay(
  records: readonly TimedRecord[],
  options: ReplayScrapeOptions,
): ReplayScrapes {
  const clock = { ms: 0 };
  const registry = new ExpositionRegistry(
    () => 1_000_000,
    () => undefined,
  );
  const families = createTrainingFamilies(registry.scope("training"));
  const events: CounterEvent[] = [];
  let step: number | undefined;
  let current: TimedRecord | undefined;
  const runs = new TrainingRuns(
    families,
    new MetricClassifier(),
    {
      // A replay keeps its run to the end, finished or not.
      finishedRetentionMs: Number.MAX_SAFE_INTEGER,
      idleRetentionMs: Number.MAX_SAFE_INTEGER,
      maxRuns: 1000,
      maxMetricsPerRun: options.maxMetricsPerRun,
      otherMetrics: true,
      statistics: options.statistics,
      // Every move of an event counter, with the step of the record that made it.
      onEvent: (family, labels, by) => {
        if (current)
          events.push({
            series: family.name + renderLabels(family.labelNames, labels, family.optionalLabels),
            atMs: current.atMs,
            step: current.record.step ?? step,
            by,
          });
      },
    },
    () => clock.ms,
  );
  const interval = options.scrapeIntervalMs;
  const endMs = (records[records.length - 1]?.atMs ?? 0) + options.tailMs;
  const times: number[] = [];
  const steps: (number | undefined)[] = [];
  const series = new Map<string, ScrapedSeries>();
  let next = 0;
  for (let t = 0, scrape = 0; t <= endMs; t += interval, scrape++) {
    while (next < records.length && (records[next]?.atMs ?? 0) <= t) {
      const entry = records[next++];
      if (!entry) break;
      current = entry;
      clock.ms = entry.atMs;
      // Time stamps are the replay's own: the rules compare them with time().
      runs.apply({ ...entry.record, timestampSeconds: entry.atMs / 1000 }, "replay", "live");
      if (entry.record.step !== undefined) step = entry.record.step;
    }
    clock.ms = t;
    times.push(t);
    steps.push(step);
    for (const [name, value] of samples(registry.renderText())) {
      let entry = series.get(name);
      if (!entry) {
        entry = { values: [] };
        series.set(name, entry);
      }
      entry.values[scrape] = value;
    }
  }
  for (const entry of series.values()) entry.values.length = times.length;
  return { scrapeIntervalMs: interval, times, series, events, steps };
}

function* samples(text: string): Generator<[string, number]> {
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const value = line.slice(space + 1);
    yield [
      line.slice(0, space),
      value === "NaN"
        ? NaN
        : value === "+Inf"
          ? Infinity
          : value === "-Inf"
            ? -Infinity
            : Number(value),
    ];
  }
}
