import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findBinary } from "../../core/find-binary.js";
import {
  scoreNabFile,
  summarizeByFolder,
  summarizeNab,
} from "../../rulegen/backtest/nab-report.js";
import type { NabFileResult, NabSummary } from "../../rulegen/backtest/nab-report.js";
import type { SeriesFile } from "../../rulegen/backtest/replay-plan.js";
import { runSeriesBacktests } from "../../rulegen/backtest/run-series-backtests.js";
import { compileSpecs } from "../../rulegen/compile.js";
import { planRuleFile } from "../../rulegen/plan/plan-rule-file.js";
import { fixturesDir, repoPath } from "../../test/support/fixtures.js";
import type { BenchContext, BenchRow, Benchmark } from "../support/benchmark.js";
import { loadNabDev, numentaProfiles, publishedStandardScores } from "./detection/nab-dev.js";
import { normalSeries } from "./detection/normal-series.js";

/**
 * One fixed configuration for every series, the file the docs tell users to backtest:
 * the `anomaly` detector with its defaults, as a user would write it. The spec keeps the
 * default scrape interval (15s) on purpose: the detector must not depend on it.
 */
export const DETECTION_SPEC_PATH = "examples/backtest/anomaly.yaml";

/** Published detectors shown beside ours (all 15 are logged). */
const SHOWN = ["ARTime", "contextOSE", "numenta", "knncad", "windowedGaussian", "randomCutForest"];

/**
 * Detection quality on real labelled data, scored the way the field scores it: the NAB
 * development set (23 series of ../shared/fixtures/nab-dev) replayed through a real
 * Prometheus (`rules backtest --engine prometheus`: each group at its own interval,
 * samples at their own times), scored with NAB's three profiles, beside NAB's published
 * per-file scores of 15 detectors on the same files. Then generated series without
 * anomalies (flat, flat at 0, a daily sine and square wave; clean and noisy; 1m and 5m;
 * two weeks each), where every alert is false.
 */
export const detectionQualityBenchmark: Benchmark = {
  id: "rulegen-detection-quality",
  name: "detection quality: the anomaly detector on NAB's labelled series and on normal series",
  part: "rulegen",
  async run(context) {
    const prometheus = findBinary(["prometheus"], process.env);
    if (!prometheus) throw new Error("needs prometheus (scripts/install-deps.sh)");
    const nabDir = join(fixturesDir(), "nab-dev");
    if (!existsSync(nabDir)) {
      const message = `fixtures not found: ${nabDir} (set AIWATCH_FIXTURES to the shared fixtures folder)`;
      if (process.env["CI"] === "true") throw new Error(`CI=true and ${message}`);
      context.log(`SKIPPED: ${message}`);
      return [];
    }
    const dev = loadNabDev(nabDir);
    const spec = readFileSync(repoPath(DETECTION_SPEC_PATH), "utf8");
    context.log(
      `aiwatch rules backtest ${DETECTION_SPEC_PATH} --series ${dev.dataDir} --windows ${dev.windowsPath} --engine prometheus`,
    );
    const nabIntervals = (await backtest(prometheus, spec, dev.files, context)).get("anomaly");
    const results = scoreNab(dev, nabIntervals);
    const total = summarizeNab(results);
    const folders = summarizeByFolder(results);
    const windowCount = new Map([...folders].map(([f, s]) => [f, s.windows]));
    const published = publishedStandardScores(nabDir, windowCount);
    const htm = numentaProfiles(dev, nabDir, windowCount);
    logNabTable(context, folders, total, published, htm);

    const normal = normalSeries();
    const normalIntervals = (await backtest(prometheus, spec, normal, context)).get("anomaly");
    let normalAlerts = 0;
    for (const file of normal) {
      const alerts = normalIntervals?.get(file.name)?.length ?? 0;
      normalAlerts += alerts;
      if (alerts > 0) context.log(`  normal series ${file.name}: ${alerts} alert(s)`);
    }
    context.log(
      `normal series: ${normal.length} (flat, flat at 0, daily sine, daily square wave; clean, 5% and 20% Gaussian noise; 1m and 5m; 2 weeks each): ${normalAlerts} alert(s)`,
    );

    await logComparison(prometheus, dev, normal, context);

    const numenta = published.get("numenta");
    return [
      {
        what: `NAB standard score, 23 dev series, one fixed configuration`,
        value: total.scores.standard,
        unit: "score",
        baselineName: "Numenta HTM (published)",
        baseline: numenta?.get("total") ?? NaN,
        budget: ">= 60",
        withinBudget: total.scores.standard >= 60,
      },
      {
        what: "NAB reward_low_FP_rate score",
        value: total.scores.reward_low_FP_rate,
        unit: "score",
        baselineName: "Numenta HTM (its outputs, NAB's threshold)",
        baseline: htm.get("reward_low_FP_rate")?.get("total") ?? NaN,
        budget: ">= 50",
        withinBudget: total.scores.reward_low_FP_rate >= 50,
      },
      {
        what: `false alert episodes per series-day (${total.falseEpisodes} in ${total.days.toFixed(0)} series-days; windows detected ${total.detectedWindows}/${total.windows})`,
        value: total.falseEpisodesPerSeriesDay,
        unit: "per series-day",
        budget: "<= 0.1",
        withinBudget: total.falseEpisodesPerSeriesDay <= 0.1,
      },
      {
        what: `alerts on ${normal.length} generated series without anomalies`,
        value: normalAlerts,
        unit: "alerts",
        budget: "0",
        withinBudget: normalAlerts === 0,
      },
    ] satisfies BenchRow[];
  },
};

/** Episode starts per monitor and series, through a real Prometheus. */
async function backtest(
  prometheus: string,
  specText: string,
  files: readonly SeriesFile[],
  context: BenchContext,
): Promise<Map<string, Map<string, number[]>>> {
  const compiled = compileSpecs([
    { file: DETECTION_SPEC_PATH, text: specText, displayName: DETECTION_SPEC_PATH },
  ]);
  const spec = compiled.specs[0];
  const ruleFile = spec?.files[0];
  if (!spec || !ruleFile) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  let last = "";
  const run = await runSeriesBacktests({
    model: spec.model,
    plan: planRuleFile(spec.model),
    ruleFile,
    monitors: spec.model.monitors,
    files,
    engine: "prometheus",
    prometheus,
    promtool: undefined,
    onProgress: (text) => {
      if (text !== last) context.log(`  ${text}`);
      last = text;
    },
  });
  if (!run.ok) throw new Error(run.error);
  const byMonitor = new Map<string, Map<string, number[]>>(
    spec.model.monitors.map((m) => [m.name, new Map()]),
  );
  for (const [file, intervals] of run.intervals)
    for (const [monitor, starts] of byMonitor)
      starts.set(
        file,
        intervals
          .filter((i) => i.monitor === monitor)
          .map((i) => i.startMs)
          .sort((a, b) => a - b),
      );
  return byMonitor;
}

function scoreNab(
  dev: ReturnType<typeof loadNabDev>,
  starts: ReadonlyMap<string, readonly number[]> | undefined,
): NabFileResult[] {
  return dev.files.map((file) =>
    scoreNabFile(
      file.name,
      file.samples.map((s) => s.t),
      starts?.get(file.name) ?? [],
      dev.windows.get(file.name) ?? [],
    ),
  );
}

/**
 * For comparison, the detectors that came before `anomaly`, on the same data: robust and
 * seasonal at the settings the synthetic check tuned them to (robust: 1h, threshold 5,
 * 15% floor; seasonal: 1d, 1h, threshold 4, 15% floor), zscore and spike at their
 * defaults. Their windows are sized in samples from the scrape
 * interval, so the spec says 5m (most NAB series' step): at the default 15s their coverage
 * gates can never be met on this data and they stay silent.
 */
export const COMPARISON_SPEC = `version: aiwatch/v1
name: detection-comparison
defaults: { scrape_interval: 5m, runbook_base_url: https://runbooks.example.com }
monitors:
  - { name: robust, layer: model, signal: value, detector: { type: robust, window: 1h, threshold: 5, min_relative_margin: 0.15 } }
  - { name: seasonal, layer: model, signal: value, detector: { type: seasonal, seasons: [1d], window: 1h, threshold: 4, min_relative_margin: 0.15 } }
  - { name: zscore, layer: model, signal: value, detector: { type: zscore } }
  - { name: spike, layer: model, signal: value, detector: { type: spike } }
`;

async function logComparison(
  prometheus: string,
  dev: ReturnType<typeof loadNabDev>,
  normal: readonly SeriesFile[],
  context: BenchContext,
): Promise<void> {
  context.log("");
  context.log(`for comparison: ${COMPARISON_SPEC.trim().split("\n").slice(2).join(" ")}`);
  const nab = await backtest(prometheus, COMPARISON_SPEC, dev.files, context);
  const quiet = await backtest(prometheus, COMPARISON_SPEC, normal, context);
  for (const [monitor, starts] of nab) {
    const total = summarizeNab(scoreNab(dev, starts));
    const normalAlerts = [...(quiet.get(monitor)?.values() ?? [])].reduce(
      (n, s) => n + s.length,
      0,
    );
    const sine = [...(quiet.get(monitor) ?? [])]
      .filter(([file]) => file === "5m/daily-sine-clean.csv")
      .reduce((n, [, s]) => n + s.length, 0);
    context.log(
      `  ${monitor}: NAB standard ${total.scores.standard.toFixed(1)}, reward_low_FP_rate ${total.scores.reward_low_FP_rate.toFixed(1)}, windows detected ${total.detectedWindows}/${total.windows}, ${total.falseEpisodesPerSeriesDay.toFixed(3)} false episodes per series-day; ${normalAlerts} alert(s) on the ${normal.length} normal series (${sine} on the clean daily sine at 5m)`,
    );
  }
  context.log("");
}

function logNabTable(
  context: BenchContext,
  folders: ReadonlyMap<string, NabSummary>,
  total: NabSummary,
  published: ReadonlyMap<string, ReadonlyMap<string, number>>,
  htm: ReadonlyMap<string, ReadonlyMap<string, number>>,
): void {
  const f1 = (n: number | undefined): string => (n === undefined ? "-" : n.toFixed(1));
  const rows: [string, NabSummary][] = [...folders, ["total", total]];
  context.log("");
  context.log(
    "| category | series | windows detected | NAB standard | reward_low_FP_rate | reward_low_FN_rate | false episodes per series-day | " +
      SHOWN.map((d) => `${d} (standard)`).join(" | ") +
      " |",
  );
  context.log(`|${" --- |".repeat(7 + SHOWN.length)}`);
  for (const [name, s] of rows)
    context.log(
      `| ${name} | ${s.files} | ${s.detectedWindows}/${s.windows} | **${f1(s.scores.standard)}** | ${f1(s.scores.reward_low_FP_rate)} | ${f1(s.scores.reward_low_FN_rate)} | ${s.falseEpisodesPerSeriesDay.toFixed(3)} | ` +
        SHOWN.map((d) => f1(published.get(d)?.get(name))).join(" | ") +
        " |",
    );
  context.log("");
  context.log(
    `Numenta HTM, all profiles (its outputs at NAB's thresholds): standard ${f1(htm.get("standard")?.get("total"))}, reward_low_FP_rate ${f1(htm.get("reward_low_FP_rate")?.get("total"))}, reward_low_FN_rate ${f1(htm.get("reward_low_FN_rate")?.get("total"))}`,
  );
  context.log(
    `all published detectors, standard total: ${[...published]
      .map(([d, s]) => [d, s.get("total") ?? NaN] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([d, s]) => `${d} ${f1(s)}`)
      .join(", ")}`,
  );
  context.log("");
}
