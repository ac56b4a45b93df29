import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../../core/run-process.js";
import type { GeneratedFile } from "../compile.js";
import type { Monitor, SpecModel } from "../../spec/model/monitor.js";
import type { FiringInterval } from "./firing-intervals.js";
import { planPromtoolBacktest, readPromtoolBacktest } from "./promtool-backtest.js";
import type { PromtoolBacktestPlan } from "./promtool-backtest.js";
import type { Sample } from "./series-file.js";

export interface SeriesBacktestRun {
  readonly intervals: FiringInterval[];
  readonly startMs: number;
  readonly endMs: number;
  readonly grid: PromtoolBacktestPlan["grid"];
}

/** The I/O edge of a series-file backtest: a scratch folder and one promtool run. */
export async function runSeriesBacktest(
  model: SpecModel,
  ruleFile: GeneratedFile,
  monitors: readonly Monitor[],
  samples: readonly Sample[],
  promtool: string,
): Promise<SeriesBacktestRun | { error: string }> {
  const dir = mkdtempSync(join(tmpdir(), "aiwatch-backtest-"));
  try {
    writeFileSync(join(dir, ruleFile.name), ruleFile.content);
    const plan = planPromtoolBacktest(model, monitors, samples, ruleFile.name);
    writeFileSync(join(dir, "backtest.test.yml"), plan.testFile);
    const result = await runProcess(promtool, ["test", "rules", "backtest.test.yml"], {
      cwd: dir,
      timeoutMs: 1_800_000,
    });
    const read = readPromtoolBacktest(plan, result);
    if ("error" in read) return read;
    return {
      intervals: read.intervals,
      startMs: plan.startMs,
      endMs: plan.endMs,
      grid: plan.grid,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
