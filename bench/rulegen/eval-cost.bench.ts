import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { formatDuration, parseDuration } from "../../core/duration.js";
import { findBinary } from "../../core/find-binary.js";
import { runProcess } from "../../core/run-process.js";
import { compileSpecs } from "../../rulegen/compile.js";
import { zscoreLayout } from "../../rulegen/detectors/zscore/layout.js";
import type { ZscoreMonitor } from "../../rulegen/detectors/zscore/layout.js";
import { zscoreSeriesNames } from "../../rulegen/detectors/zscore/rules.js";
import { startMetricsTarget } from "../../test/support/metrics-target.js";
import { startPrometheus } from "../../core/process/prometheus-process.js";
import type { BenchContext, BenchRow, Benchmark } from "../support/benchmark.js";
import { signalValue, writeBackfillFile } from "./eval-cost/backfill-file.js";
import { medianGroupDurations } from "./eval-cost/rule-group-durations.js";

const METRIC = "aiwatch_bench_signal";
const SCRAPE_MS = 15_000;
/** Groups evaluate this often while measured; cost per minute scales by the real interval. */
const MEASURE_INTERVAL = "10s";

interface Scenario {
  readonly series: number;
  readonly windowMs: number;
  readonly budget: number;
}

const SCENARIOS: readonly Scenario[] = [
  { series: 10_000, windowMs: 3_600_000, budget: 0.5 },
  { series: 1_000, windowMs: 86_400_000, budget: 0.1 },
];

/**
 * DESIGN.md: per evaluation minute, the generated zscore rules cost <= 1/2 of the naive
 * single expression at a 1h window over 10k series, and <= 1/10 at 1d over 1k series.
 * Both run in a real Prometheus over the same backfilled history (raw samples and, for
 * aiwatch, the recorded bucket series at their real cadence, i.e. steady state). Each
 * group's evaluation time comes from prometheus_rule_group_last_duration_seconds; groups
 * are evaluated every 30s while measured and their cost is scaled to their real interval.
 */
export const rulegenEvalCostBenchmark: Benchmark = {
  id: "rulegen-eval-cost",
  name: "zscore evaluation cost in Prometheus vs the naive expression",
  part: "rulegen",
  async run(context) {
    const prometheus = findBinary(["prometheus"], process.env);
    const promtool = findBinary(["promtool"], process.env);
    if (!prometheus || !promtool)
      throw new Error("needs prometheus and promtool (scripts/install-deps.sh)");
    const rows: BenchRow[] = [];
    for (const scenario of SCENARIOS)
      rows.push(await measureScenario(scenario, context, prometheus, promtool));
    return rows;
  },
};

async function measureScenario(
  scenario: Scenario,
  context: BenchContext,
  prometheus: string,
  promtool: string,
): Promise<BenchRow> {
  const window = formatDuration(scenario.windowMs);
  const dir = join(context.scratchDir, `${scenario.series}-${window}`);
  mkdirSync(dir, { recursive: true });
  const spec = [
    "version: aiwatch/v1",
    "name: bench",
    "defaults: { runbook_base_url: https://runbooks.example.com }",
    "monitors:",
    `  - { name: bench-zscore, layer: model, signal: ${METRIC}, detector: { type: zscore, window: ${window}, threshold: 3 } }`,
    // Only the zscore groups are measured.
    "self_monitoring: false",
  ].join("\n");
  const compiled = compileSpecs([{ file: "bench.yaml", text: spec, displayName: "bench.yaml" }]);
  const model = compiled.specs[0]?.model;
  const rules = compiled.specs[0]?.files.find((f) => f.name.endsWith(".rules.yml"))?.content;
  const monitor = model?.monitors[0] as ZscoreMonitor | undefined;
  if (!model || !rules || !monitor)
    throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  const layout = zscoreLayout(monitor, model.settings);
  const names = zscoreSeriesNames(monitor, model.settings);

  const endMs = Date.now();
  const historyMs = scenario.windowMs + layout.lagMs + 2 * layout.bucketMs;
  const file = join(dir, "backfill.om");
  const samples = writeBackfillFile({
    path: file,
    metric: METRIC,
    series: scenario.series,
    scrapeIntervalMs: SCRAPE_MS,
    rawHistoryMs: historyMs + 600_000,
    endMs,
    buckets: {
      avgName: names.bucketAvg,
      stdvarName: names.bucketStdvar,
      monitor: monitor.name,
      bucketMs: layout.bucketMs,
      historyMs,
    },
  });
  context.log(
    `${scenario.series} series, ${window} window: backfilling ${(samples / 1e6).toFixed(1)}M samples`,
  );
  const backfill = await runProcess(
    promtool,
    ["tsdb", "create-blocks-from", "openmetrics", file, join(dir, "data")],
    { timeoutMs: 900_000 },
  );
  if (backfill.exitCode !== 0) throw new Error(`backfill failed: ${backfill.stderr}`);

  const target = await startMetricsTarget(() => {
    const now = Date.now();
    let body = "";
    for (let s = 0; s < scenario.series; s++)
      body += `${METRIC}{series="${s}"} ${signalValue(s, now)}\n`;
    return body;
  });
  try {
    const naiveExpr = `abs((${METRIC} - avg_over_time(${METRIC}[${window}])) / stddev_over_time(${METRIC}[${window}])) > 3`;
    const naiveRules = `groups:\n  - name: naive\n    interval: ${MEASURE_INTERVAL}\n    rules:\n      - alert: NaiveZscore\n        expr: ${naiveExpr}\n`;
    const naive = await measureRules(
      prometheus,
      dir,
      "naive.rules.yml",
      naiveRules,
      target.address,
    );
    const naivePerMinute = naive.get("naive") ?? NaN;

    const realIntervals = new Map<string, number>();
    for (const match of rules.matchAll(/- name: (\S+)\n\s+interval: (\S+)/g)) {
      realIntervals.set(match[1] ?? "", parseDuration(match[2] ?? "1m") ?? 60_000);
    }
    const measured = rules.replace(/(\n\s+interval: )\S+/g, `$1${MEASURE_INTERVAL}`);
    const ours = await measureRules(prometheus, dir, "bench.rules.yml", measured, target.address);
    let oursPerMinute = 0;
    const parts: string[] = [];
    for (const [group, seconds] of ours) {
      const perMinute = seconds * (60_000 / (realIntervals.get(group) ?? 60_000));
      oursPerMinute += perMinute;
      parts.push(
        `${group.replace("aiwatch-bench-zscore", "zscore")} ${(seconds * 1000).toFixed(0)}ms/eval`,
      );
    }
    context.log(`naive ${(naivePerMinute * 1000).toFixed(0)}ms/eval; ${parts.join(", ")}`);
    return {
      what: `zscore rules per evaluation minute, ${scenario.series} series, ${window} window`,
      value: oursPerMinute,
      unit: "s/min",
      baselineName: "naive expression",
      baseline: naivePerMinute,
      budget: `<= ${scenario.budget}x naive`,
      withinBudget: oursPerMinute <= scenario.budget * naivePerMinute,
    };
  } finally {
    await target.close();
  }
}

/**
 * Each group's median evaluation time, one group at a time alone in the rule manager (in
 * file order: the generator writes the baseline group before the alert that reads it).
 */
async function measureRules(
  binary: string,
  dir: string,
  name: string,
  rules: string,
  target: string,
): Promise<Map<string, number>> {
  const document = parse(rules) as { groups: { name: string }[] };
  const path = join(dir, name);
  const onlyGroup = (group: string): string =>
    stringify({ groups: document.groups.filter((g) => g.name === group) });
  const names = document.groups.map((g) => g.name);
  writeFileSync(path, onlyGroup(names[0] ?? ""));
  const prometheus = await startPrometheus({
    binary,
    dir,
    config: [
      `global: { scrape_interval: ${SCRAPE_MS / 1000}s, evaluation_interval: ${MEASURE_INTERVAL} }`,
      `rule_files: [${JSON.stringify(path)}]`,
      "scrape_configs:",
      `  - { job_name: bench, static_configs: [{ targets: ["${target}"] }] }`,
      "",
    ].join("\n"),
    extraArgs: ["--storage.tsdb.retention.time=30d", "--query.max-samples=200000000"],
  });
  try {
    const out = new Map<string, number>();
    for (const [i, group] of names.entries()) {
      if (i > 0) {
        writeFileSync(path, onlyGroup(group));
        const reload = await fetch(`${prometheus.url}/-/reload`, { method: "POST" });
        if (!reload.ok) throw new Error(`reload failed: ${await reload.text()}`);
      }
      const durations = await medianGroupDurations(prometheus.url, 3, 600_000, group);
      out.set(group, durations.get(group) ?? NaN);
    }
    return out;
  } finally {
    await prometheus.stop();
  }
}
