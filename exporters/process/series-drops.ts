import type { Logger } from "../../core/log/logger.js";
import type { DropReporter } from "../exposition/series-budget.js";

export interface SeriesLimits {
  readonly maxSeriesPerFamily: number;
  readonly maxSeries: number;
}

/**
 * Counts every series a budget refused (`count`) and logs the first refusal of each
 * budget once: the total budget once, a family's budget once per family, and again only
 * after a reload changes that limit. A full budget refuses at every write; a log line
 * per refusal would flood the log, the counter already says how many.
 */
export function reportSeriesDrops(
  count: DropReporter,
  limits: () => SeriesLimits,
  logger: Logger,
): DropReporter {
  const logged = new Set<string>();
  return (family, budget) => {
    count(family, budget);
    const current = limits();
    const limit = budget === "total" ? current.maxSeries : current.maxSeriesPerFamily;
    const key = budget === "total" ? `total ${limit}` : `family ${family} ${limit}`;
    if (logged.has(key)) return;
    logged.add(key);
    logger.warn(
      budget === "total"
        ? `the exporter holds limits.max_series (${limit}) series: new series of every family are dropped`
        : `${family} holds limits.max_series_per_family (${limit}) series: its new series are dropped`,
      {
        family,
        budget,
        limit,
        counted_in: "aiwatch_exporter_series_dropped_total",
      },
    );
  };
}
