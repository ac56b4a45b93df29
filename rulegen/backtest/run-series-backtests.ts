import type { GeneratedFile } from "../compile.js";
import type { Monitor, SpecModel } from "../../spec/model/monitor.js";
import type { RuleFilePlan } from "../plan/rule-plan.js";
import { formatDuration } from "../../core/duration.js";
import type { FiringInterval } from "./firing-intervals.js";
import { replayThroughPrometheus } from "./prometheus-replay.js";
import { feedOf, planReplayBatches } from "./replay-plan.js";
import type { SeriesFile } from "./replay-plan.js";
import { ruleLevels } from "./rule-levels.js";
import { runSeriesBacktest } from "./run-series-backtest.js";

export type BacktestEngine = "prometheus" | "promtool";

export interface SeriesBacktestsInput {
  readonly model: SpecModel;
  readonly plan: RuleFilePlan;
  readonly ruleFile: GeneratedFile;
  readonly monitors: readonly Monitor[];
  readonly files: readonly SeriesFile[];
  readonly engine: BacktestEngine | "auto";
  readonly prometheus: string | undefined;
  readonly promtool: string | undefined;
  readonly onProgress: (text: string) => void;
}

export type SeriesBacktestsResult =
  | {
      readonly ok: true;
      readonly engine: BacktestEngine;
      /** Firing intervals per series file name. */
      readonly intervals: ReadonlyMap<string, readonly FiringInterval[]>;
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

/**
 * Series files through the rules, with one of two real engines:
 * - `prometheus`: a real Prometheus, every group at its own interval (exact timestamps;
 *   needs rules whose recordings do not read each other in a cycle);
 * - `promtool`: `promtool test rules`, Prometheus's rule manager with `for` and
 *   keep_firing_for, every group at the evaluation interval, one file at a time.
 * `auto` takes prometheus where the rules allow it and the binary is there.
 */
export async function runSeriesBacktests(
  input: SeriesBacktestsInput,
): Promise<SeriesBacktestsResult> {
  const levels = ruleLevels(input.plan, new Set(input.monitors.map((m) => m.name)));
  const canReplay = levels.ok && input.prometheus !== undefined;
  const engine: BacktestEngine =
    input.engine === "auto" ? (canReplay ? "prometheus" : "promtool") : input.engine;
  if (engine === "prometheus") {
    if (!levels.ok)
      return {
        ok: false,
        error: `--engine prometheus: the recordings ${levels.cycle.join(" -> ")} read each other in a cycle, which only promtool can replay (--engine promtool)`,
      };
    if (input.prometheus === undefined)
      return {
        ok: false,
        error:
          "prometheus not found: install Debian's prometheus package, set AIWATCH_PROMETHEUS or pass --prometheus",
      };
    const intervals = new Map<string, FiringInterval[]>(input.files.map((f) => [f.name, []]));
    const batches = planReplayBatches(input.monitors, input.files);
    for (const [i, batch] of batches.entries()) {
      const starts = batch.files.map((f) => f.samples[0]?.t ?? 0);
      const ends = batch.files.map((f) => f.samples[f.samples.length - 1]?.t ?? 0);
      const label =
        batches.length === 1
          ? ""
          : `batch ${i + 1}/${batches.length} (${batch.files.length} series): `;
      try {
        const found = await replayThroughPrometheus(input.prometheus, {
          series: batch.series,
          levels,
          startMs: Math.min(...starts),
          // Alerts are evaluated until the last sample leaves the lookback.
          endMs: Math.max(...ends) + 5 * 60_000,
          onProgress: (text) => input.onProgress(`${label}${text}`),
        });
        for (const interval of found) {
          const feed = feedOf(batch, interval);
          if (feed) intervals.get(feed.file)?.push(interval);
        }
      } catch (error) {
        return { ok: false, error: `prometheus replay failed: ${(error as Error).message}` };
      }
    }
    return { ok: true, engine, intervals, warnings: [] };
  }
  if (input.promtool === undefined)
    return {
      ok: false,
      error:
        "promtool not found: install Debian's prometheus package, set AIWATCH_PROMTOOL or pass --promtool",
    };
  const intervals = new Map<string, FiringInterval[]>();
  const warnings: string[] = [];
  for (const [i, file] of input.files.entries()) {
    input.onProgress(`series ${i + 1}/${input.files.length}: ${file.name}`);
    const run = await runSeriesBacktest(
      input.model,
      input.ruleFile,
      input.monitors,
      file.samples,
      input.promtool,
    );
    if ("error" in run) return { ok: false, error: `${file.name}: ${run.error}` };
    intervals.set(file.name, run.intervals);
    const grid = run.grid;
    if (grid.moved > 0 || grid.dropped > 0)
      warnings.push(
        `${file.name}: promtool replays samples on a grid of ${formatDuration(grid.intervalMs)}: ${grid.moved} sample(s) moved by up to ${formatDuration(grid.maxShiftMs)}, ${grid.dropped} dropped (two in one slot); --engine prometheus replays every sample at its own time`,
      );
  }
  return { ok: true, engine, intervals, warnings };
}
