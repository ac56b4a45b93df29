import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../../core/run-process.js";
import { intervalsFromObservations } from "../../rulegen/backtest/firing-intervals.js";
import { parseFailedExpressionTests } from "../../rulegen/backtest/promtool-output.js";
import type { GeneratedFile } from "../../rulegen/compile.js";
import type { StatisticsPolicies } from "../../exporters/training/statistics/statistics-config.js";
import type { TimedRecord } from "../../exporters/training/replay/replay-clock.js";
import { replayAlerts } from "../../exporters/training/replay/replay-report.js";
import type { ReplayAlert } from "../../exporters/training/replay/replay-report.js";
import { scrapeReplay } from "../../exporters/training/replay/replay-scrapes.js";
import { planReplayTest } from "../../exporters/training/replay/replay-test-file.js";

export interface ReplayRun {
  readonly alerts: readonly ReplayAlert[];
  /** Scrape time at which the replay ended. */
  readonly endMs: number;
  readonly scrapes: number;
  readonly series: number;
}

export interface RunReplayOptions {
  readonly records: readonly TimedRecord[];
  readonly ruleFile: GeneratedFile;
  /** Each monitor's signal, by monitor name (to find the events behind an alert). */
  readonly signals: ReadonlyMap<string, string>;
  readonly scrapeIntervalMs: number;
  readonly evaluationIntervalMs: number;
  readonly statistics: StatisticsPolicies | undefined;
  readonly promtool: string;
}

/**
 * The I/O edge of a replay: the records through the collector, the scrapes into a
 * promtool test beside the rule file in a scratch folder, promtool's failures back as
 * firing alerts.
 */
export async function runReplay(options: RunReplayOptions): Promise<ReplayRun | { error: string }> {
  const scrapes = scrapeReplay(options.records, {
    scrapeIntervalMs: options.scrapeIntervalMs,
    // Long enough for the last step's events to be scraped and evaluated.
    tailMs: 2 * Math.max(options.scrapeIntervalMs, options.evaluationIntervalMs),
    statistics: options.statistics,
    maxMetricsPerRun: 10_000,
  });
  const plan = planReplayTest(scrapes, [options.ruleFile.name], options.evaluationIntervalMs);
  const dir = mkdtempSync(join(tmpdir(), "aiwatch-replay-"));
  try {
    writeFileSync(join(dir, options.ruleFile.name), options.ruleFile.content);
    writeFileSync(join(dir, "replay.test.yml"), plan.testFile);
    const result = await runProcess(options.promtool, ["test", "rules", "replay.test.yml"], {
      cwd: dir,
      timeoutMs: 1_800_000,
    });
    const output = result.stdout + result.stderr;
    const firing = parseFailedExpressionTests(output);
    if (result.exitCode !== 0 && firing.size === 0)
      return { error: `promtool failed: ${output.trim()}` };
    const endMs = plan.evaluationTimes[plan.evaluationTimes.length - 1] ?? 0;
    const intervals = intervalsFromObservations(plan.evaluationTimes, firing, endMs);
    return {
      alerts: replayAlerts(intervals, scrapes, options.signals, endMs),
      endMs,
      scrapes: scrapes.times.length,
      series: scrapes.series.size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
