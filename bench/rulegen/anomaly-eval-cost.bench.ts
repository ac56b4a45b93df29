import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { formatDuration, parseDuration } from "../../core/duration.js";
import { findBinary } from "../../core/find-binary.js";
import { compileSpecs } from "../../rulegen/compile.js";
import { startMetricsTarget } from "../../test/support/metrics-target.js";
import { startPrometheus } from "../../test/support/prometheus-process.js";
import type { BenchContext, BenchRow, Benchmark } from "../support/benchmark.js";
import { signalValue } from "./eval-cost/backfill-file.js";
import { backfillByBlock } from "./eval-cost/backfill-series.js";
import type { BackfillFamily } from "./eval-cost/backfill-series.js";
import { medianGroupDurations } from "./eval-cost/rule-group-durations.js";
import { waitForCompactedBlocks } from "./eval-cost/tsdb-settled.js";
import { adaptiveBaselineRules, robustBaselineRules } from "./quality/grafana-baseline.js";

const METRIC = "aiwatch_bench_signal";
const SERIES = 10_000;
/** The signal is scraped every minute: Grafana's framework reads a 1m recording of it. */
const SCRAPE_MS = 60_000;
/**
 * Each group is evaluated at this interval while it is measured (alone), and its cost
 * scaled to its real interval: short, so the bench takes minutes, not half an hour. A
 * group slower than this runs back to back; its own duration is what is read.
 */
const MEASURE_INTERVAL = "5s";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface RuleSet {
  readonly name: string;
  readonly rules: string;
  /** History per recorded series: [from, to] ms before now; default the last 30 minutes. */
  readonly history: (record: string) => readonly (readonly [number, number])[];
  /** Raw signal history the rules read. */
  readonly raw: readonly (readonly [number, number])[];
}

/**
 * aiwatch's monitors in one spec: one Prometheus holds the history all of them read, and
 * each of their groups is measured alone in it.
 */
function aiwatchRules(): string {
  const spec = `version: aiwatch/v1
name: bench
defaults: { scrape_interval: 1m, evaluation_interval: 1m, runbook_base_url: https://runbooks.example.com }
monitors:
  - { name: bench-robust, layer: model, signal: ${METRIC}, detector: { type: robust, window: 1h } }
  - { name: bench-seasonal, layer: model, signal: ${METRIC}, detector: { type: seasonal, seasons: [1d], window: 1h } }
  - { name: bench-anomaly, layer: model, signal: ${METRIC}, detector: { type: anomaly } }
self_monitoring: false
`;
  const compiled = compileSpecs([{ file: "bench.yaml", text: spec, displayName: "bench.yaml" }]);
  const rules = compiled.specs[0]?.files[0]?.content;
  if (!rules) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  return rules;
}

/**
 * robust and seasonal read 1h windows, lagged, and (seasonal) the hours around a day ago;
 * the anomaly monitor reads a week of its hourly peaks and troughs.
 */
const RULE_SETS = (): RuleSet[] => [
  {
    name: "aiwatch robust (1h), seasonal (1h, 1d) and anomaly (defaults: 1w of 1h peaks)",
    rules: aiwatchRules(),
    history: (record) =>
      /:(max|min)1h$/.test(record) ? [[7 * DAY + 2 * HOUR, 0]] : [[2 * HOUR, 0]],
    raw: [
      [2 * HOUR, 0],
      [DAY + 3 * HOUR, DAY - HOUR],
    ],
  },
  {
    name: "grafana adaptive",
    rules: adaptiveBaselineRules(METRIC),
    history: (record) =>
      record === "baseline_adaptive:input"
        ? [
            [DAY + HOUR, DAY - HOUR],
            [HOUR + 10 * 60_000, 0],
          ]
        : // Its 1h stddev passes the coefficient-of-variation filter (> 0.5) only on very
          // noisy series; on this signal the filtered series stays empty, as it would.
          record === "baseline_adaptive:stddev_1h:high_variability"
          ? []
          : [[30 * 60_000, 0]],
    raw: [[30 * 60_000, 0]],
  },
  {
    name: "grafana robust",
    rules: robustBaselineRules(METRIC),
    history: (record) =>
      record === "baseline_robust:input" || record === "baseline_robust:absdev_1d"
        ? [[DAY + HOUR, 0]]
        : record.includes("_1w") || record.includes("1d_ago")
          ? [[2 * HOUR, 0]]
          : [[30 * 60_000, 0]],
    raw: [[30 * 60_000, 0]],
  },
];

/**
 * The per-minute evaluation cost, in a real Prometheus over the same 10,000 series, of
 * aiwatch's robust, seasonal and anomaly monitors beside Grafana's
 * promql-anomaly-detection strategies (our own implementation of their formulas:
 * bench/rulegen/quality). One Prometheus holds the history each rule set (aiwatch's
 * three monitors, Grafana adaptive, Grafana robust) reads in steady state, backfilled (raw
 * samples and the recorded series at their cadence); each rule group is then measured
 * alone. Grafana's weekly bands get no week-old data, so its cost is a lower bound.
 */
export const anomalyEvalCostBenchmark: Benchmark = {
  id: "rulegen-anomaly-eval-cost",
  name: "robust, seasonal and anomaly evaluation cost in Prometheus vs Grafana's anomaly framework and seasonal (10k series)",
  part: "rulegen",
  async run(context) {
    const prometheus = findBinary(["prometheus"], process.env);
    const promtool = findBinary(["promtool"], process.env);
    if (!prometheus || !promtool)
      throw new Error("needs prometheus and promtool (scripts/install-deps.sh)");
    const perGroup = await measureRuleSet(
      oneRuleSet(RULE_SETS()),
      0,
      context,
      prometheus,
      promtool,
    );
    const sum = (prefix: string): number =>
      [...perGroup].filter(([g]) => g.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    const row = (what: string, ours: number, name: string, theirs: number): BenchRow => ({
      what: `${what} per evaluation minute, ${SERIES} series`,
      value: ours,
      unit: "s/min",
      baselineName: name,
      baseline: theirs,
    });
    return [
      row(
        "aiwatch robust (1h)",
        sum("aiwatch-bench-robust"),
        "grafana robust",
        sum("baseline-robust"),
      ),
      row(
        "aiwatch seasonal (1d, 1h)",
        sum("aiwatch-bench-seasonal"),
        "grafana adaptive",
        sum("baseline-adaptive"),
      ),
      {
        ...row(
          "aiwatch anomaly (defaults: 1w of 1h peaks)",
          sum("aiwatch-bench-anomaly"),
          "aiwatch seasonal (1d, 1h)",
          sum("aiwatch-bench-seasonal"),
        ),
        budget: "<= 1x seasonal",
        withinBudget: sum("aiwatch-bench-anomaly") <= sum("aiwatch-bench-seasonal"),
      },
    ];
  },
};

/**
 * Every rule set in one Prometheus: one backfill and one compaction instead of one per
 * set (their recorded series have distinct names, so each keeps the history it reads),
 * while each group is still measured alone.
 */
function oneRuleSet(sets: readonly RuleSet[]): RuleSet {
  const groups = sets.map(
    (set) => (parse(set.rules) as { groups: { rules: { record?: string }[] }[] }).groups,
  );
  const owner = new Map<string, RuleSet>();
  for (const [i, set] of sets.entries())
    for (const group of groups[i] ?? [])
      for (const rule of group.rules) if (rule.record) owner.set(rule.record, set);
  return {
    name: sets.map((s) => s.name).join("; "),
    rules: stringify({ groups: groups.flat() }),
    history: (record) => owner.get(record)?.history(record) ?? [[30 * 60_000, 0]],
    raw: sets.flatMap((s) => s.raw),
  };
}

/**
 * History for aiwatch's recorded series that keeps its alerts quiet, as in steady state
 * (an alert firing on all 10,000 series costs its ALERTS writes every evaluation, which
 * is not what the rules cost day to day): levels at the signal's level, spreads and
 * bands wide, the anomaly bounds well outside the signal.
 */
function quietValue(record: string): (series: number, tMs: number) => number {
  if (record.endsWith(":anomaly_upper")) return (s, t) => signalValue(s, t) + 50;
  if (record.endsWith(":anomaly_lower")) return (s, t) => signalValue(s, t) - 50;
  if (/band/.test(record)) return () => 50;
  if (/stddev|mad|absdev/.test(record)) return () => 5;
  if (/seasonal_delta/.test(record)) return () => 0;
  return signalValue;
}

async function measureRuleSet(
  set: RuleSet,
  index: number,
  context: BenchContext,
  prometheus: string,
  promtool: string,
): Promise<Map<string, number>> {
  const dir = join(context.scratchDir, `anomaly-${index}`);
  mkdirSync(dir, { recursive: true });
  const document = parse(set.rules) as {
    groups: { name: string; interval?: string; rules: { record?: string }[] }[];
  };
  const realIntervals = new Map<string, number>();
  // The scrape adds job and instance: history must carry them to be the same series.
  const target = await startMetricsTarget(() => {
    const now = Date.now();
    let body = "";
    for (let s = 0; s < SERIES; s++)
      body += `${METRIC}{series="${s}",anomaly_name="s"} ${signalValue(s, now)}\n`;
    return body;
  });
  const base = (s: number): string =>
    `anomaly_name="s",instance="${target.address}",job="bench",series="${s}"`;
  const families: BackfillFamily[] = [
    {
      name: METRIC,
      labels: base,
      cadenceMs: SCRAPE_MS,
      ranges: set.raw,
      value: signalValue,
    },
  ];
  for (const group of document.groups) {
    const intervalMs = parseDuration(group.interval ?? "1m") ?? 60_000;
    realIntervals.set(group.name, intervalMs);
    for (const rule of group.rules) {
      if (!rule.record) continue;
      const ranges = set.history(rule.record);
      if (ranges.length === 0) continue;
      const monitor = (rule as { labels?: Record<string, string> }).labels?.["monitor"];
      const extra = [
        monitor ? `monitor="${monitor}"` : "",
        rule.record.includes(":seasonal_") ? `season="1d"` : "",
      ].filter((l) => l !== "");
      families.push({
        name: rule.record,
        labels: (s) => [...extra, base(s)].join(","),
        cadenceMs: intervalMs,
        ranges,
        value: monitor ? quietValue(rule.record) : (s, t) => Math.abs(signalValue(s, t)) / 10 + 0.1,
      });
    }
  }
  try {
    const endMs = Date.now();
    const samples = await backfillByBlock(
      promtool,
      dir,
      join(dir, "data"),
      families,
      SERIES,
      endMs,
    );
    context.log(`${set.name}: backfilled ${(samples / 1e6).toFixed(1)}M samples`);
    // One group at a time, alone in the rule manager: a slow group evaluated every 30s
    // (an hourly one takes minutes on 10k series) would otherwise compete with the group
    // being measured, which is not how they run in production.
    const groupNames = document.groups.map((g) => g.name);
    const rulesPath = join(dir, "rules.yml");
    const onlyGroup = (name: string): string =>
      stringify({
        groups: document.groups
          .filter((g) => g.name === name)
          .map((g) => ({ ...g, interval: MEASURE_INTERVAL })),
      });
    writeFileSync(rulesPath, "groups: []\n");
    const instance = await startPrometheus({
      binary: prometheus,
      dir,
      config: [
        `global: { scrape_interval: ${SCRAPE_MS / 1000}s, evaluation_interval: ${MEASURE_INTERVAL} }`,
        `rule_files: [${JSON.stringify(rulesPath)}]`,
        "scrape_configs:",
        `  - { job_name: bench, static_configs: [{ targets: ["${target.address}"] }] }`,
        "",
      ].join("\n"),
      extraArgs: ["--storage.tsdb.retention.time=30d", "--query.max-samples=500000000"],
    });
    try {
      const blocks = await waitForCompactedBlocks(instance.url, 1_800_000);
      context.log(`${set.name}: ${blocks} blocks after compaction`);
      const perMinute = new Map<string, number>();
      const parts: string[] = [];
      for (const group of groupNames) {
        writeFileSync(rulesPath, onlyGroup(group));
        const reload = await fetch(`${instance.url}/-/reload`, { method: "POST" });
        if (!reload.ok) throw new Error(`reload failed: ${await reload.text()}`);
        const durations = await medianGroupDurations(instance.url, 3, 1_800_000, group);
        const seconds = durations.get(group) ?? NaN;
        const every = realIntervals.get(group) ?? 60_000;
        perMinute.set(group, seconds * (60_000 / every));
        const alerts = await fetch(
          `${instance.url}/api/v1/query?query=${encodeURIComponent("count(ALERTS) or vector(0)")}`,
        );
        const active = (
          (await alerts.json()) as { data?: { result?: { value?: [number, string] }[] } }
        ).data?.result?.[0]?.value?.[1];
        parts.push(
          `${group} ${(seconds * 1000).toFixed(0)}ms/eval every ${formatDuration(every)} (${active ?? "?"} alerts active)`,
        );
      }
      context.log(`${set.name}: ${parts.join(", ")}`);
      return perMinute;
    } finally {
      await instance.stop();
    }
  } finally {
    await target.close();
  }
}
