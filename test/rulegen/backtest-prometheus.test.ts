import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiBacktest, httpQueryRange } from "../../rulegen/backtest/api-backtest.js";
import type { FiringInterval } from "../../rulegen/backtest/firing-intervals.js";
import { runSeriesBacktest } from "../../rulegen/backtest/run-series-backtest.js";
import type { Sample } from "../../rulegen/backtest/series-file.js";
import { compileSpecs } from "../../rulegen/compile.js";
import type { CompiledSpec } from "../../rulegen/compile.js";
import { planRuleFile } from "../../rulegen/plan/plan-rule-file.js";
import { requireBinaries } from "../support/binaries.js";
import { startMetricsTarget } from "../support/metrics-target.js";
import type { MetricsTarget } from "../support/metrics-target.js";
import { startPrometheus } from "../support/prometheus-process.js";
import type { PrometheusInstance } from "../support/prometheus-process.js";
import { makeTempDir } from "../support/temp-dir.js";
import { waitFor } from "../support/wait-for.js";

/**
 * A real Prometheus 2.42 evaluates the compiled rules while scraping a target that replays
 * a scripted loss (1s scrapes and evaluations). Afterwards the raw samples it stored
 * become a series file; the promtool backtest of that file, and the API backtest against
 * the same Prometheus, must find the alerts Prometheus itself fired, within a couple of
 * evaluations (Prometheus's scrapes and evaluations have their own phase and jitter).
 */
const SPEC = `
version: aiwatch/v1
name: agreement
defaults: { scrape_interval: 1s, evaluation_interval: 1s, runbook_base_url: https://runbooks.example.com }
monitors:
  - name: loss-high
    layer: model
    signal: aiwatch_training_loss
    detector: { type: threshold, above: 5 }
    for: 3s
  - name: loss-robust
    layer: model
    signal: aiwatch_training_loss
    detector: { type: robust, window: 10s, threshold: 4 }
    for: 2s
`;

/** Seconds since the target started → the loss: noise, then two excursions. */
function loss(second: number): number {
  if ((second >= 35 && second < 47) || (second >= 60 && second < 66)) return 8;
  return second % 2 === 0 ? 1 : 1.1;
}
const END_SECOND = 80;
const TOLERANCE_MS = 3_000;

const { available, paths } = requireBinaries("prometheus", "promtool");
const temp = makeTempDir("backtest-e2e");
let target: MetricsTarget;
let prometheus: PrometheusInstance;
let compiled: CompiledSpec;

interface Span {
  readonly monitor: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Prometheus's own history of firing alerts: ALERTS samples at each evaluation. */
async function firedByPrometheus(): Promise<Span[]> {
  const data = await prometheus.api<{
    result: { metric: Record<string, string>; values: [number, string][] }[];
  }>(`query?query=${encodeURIComponent('ALERTS{alertstate="firing"}[10m]')}`);
  const spans: Span[] = [];
  for (const series of data.result) {
    let current: { startMs: number; lastMs: number } | undefined;
    const flush = (): void => {
      if (current)
        spans.push({
          monitor: series.metric["monitor"] ?? "",
          startMs: current.startMs,
          endMs: current.lastMs + 1000,
        });
    };
    for (const [t] of series.values) {
      const ms = Math.round(t * 1000);
      if (current && ms - current.lastMs <= 1500) current.lastMs = ms;
      else {
        flush();
        current = { startMs: ms, lastMs: ms };
      }
    }
    flush();
  }
  return spans.sort((a, b) => a.monitor.localeCompare(b.monitor) || a.startMs - b.startMs);
}

function expectAgreement(actual: readonly FiringInterval[], expected: readonly Span[]): void {
  const spans = [...actual]
    .map((i) => ({ monitor: i.monitor, startMs: i.startMs, endMs: i.endMs }))
    .sort((a, b) => a.monitor.localeCompare(b.monitor) || a.startMs - b.startMs);
  const show = (list: readonly Span[]) =>
    list.map((s) => `${s.monitor} ${s.startMs % 1e6}..${s.endMs % 1e6}`).join(", ");
  expect(
    spans.map((s) => s.monitor),
    `backtest ${show(spans)} vs Prometheus ${show(expected)}`,
  ).toEqual(expected.map((s) => s.monitor));
  spans.forEach((span, i) => {
    const want = expected[i];
    expect(Math.abs(span.startMs - (want?.startMs ?? 0)), show(spans)).toBeLessThanOrEqual(
      TOLERANCE_MS,
    );
    expect(Math.abs(span.endMs - (want?.endMs ?? 0)), show(spans)).toBeLessThanOrEqual(
      TOLERANCE_MS,
    );
  });
}

describe.skipIf(!available)("backtest agrees with a real Prometheus", () => {
  let startMs = 0;
  beforeAll(async () => {
    const result = compileSpecs([
      { file: "agreement.yaml", text: SPEC, displayName: "agreement.yaml" },
    ]);
    expect(result.diagnostics).toEqual([]);
    const spec = result.specs[0];
    if (!spec) throw new Error("no output");
    compiled = spec;
    writeFileSync(join(temp.path, "agreement.rules.yml"), spec.files[0]?.content ?? "");
    startMs = Date.now();
    target = await startMetricsTarget(
      () => `aiwatch_training_loss ${loss(Math.floor((Date.now() - startMs) / 1000))}\n`,
    );
    prometheus = await startPrometheus({
      binary: paths.prometheus,
      dir: temp.path,
      config: [
        "global: { scrape_interval: 1s, evaluation_interval: 1s }",
        `rule_files: [${JSON.stringify(join(temp.path, "agreement.rules.yml"))}]`,
        "scrape_configs:",
        `  - { job_name: trainer, static_configs: [{ targets: ["${target.address}"] }] }`,
        "",
      ].join("\n"),
    });
    await waitFor(
      "the scripted series to end",
      () => (Date.now() - startMs > END_SECOND * 1000 ? true : undefined),
      {
        timeoutMs: 150_000,
        pollMs: 500,
      },
    );
  }, 200_000);

  afterAll(async () => {
    await prometheus?.stop();
    await target?.close();
    temp.remove();
  });

  it("the series-file backtest (promtool) finds the alerts Prometheus fired", async () => {
    const raw = await prometheus.api<{ result: { values: [number, string][] }[] }>(
      `query?query=${encodeURIComponent("aiwatch_training_loss[10m]")}`,
    );
    const samples: Sample[] = (raw.result[0]?.values ?? []).map(([t, v]) => ({
      t: Math.round(t * 1000),
      v: Number(v),
    }));
    expect(samples.length).toBeGreaterThan(60);
    const expected = await firedByPrometheus();
    // Both monitors fire, on both excursions; the robust one ends as its median catches up.
    expect(new Set(expected.map((s) => s.monitor))).toEqual(new Set(["loss-high", "loss-robust"]));
    expect(expected.filter((s) => s.monitor === "loss-high")).toHaveLength(2);
    const ruleFile = compiled.files[0];
    if (!ruleFile) throw new Error("no rule file");
    const run = await runSeriesBacktest(
      compiled.model,
      ruleFile,
      compiled.model.monitors,
      samples,
      paths.promtool,
    );
    if ("error" in run) throw new Error(run.error);
    // Alerts still firing at the end of Prometheus's history were cut at its last sample.
    const last = samples[samples.length - 1]?.t ?? 0;
    expectAgreement(
      run.intervals,
      expected.filter((s) => s.startMs < last),
    );
  }, 120_000);

  it("the API backtest (recordings inlined, `for` applied) finds them too", async () => {
    const expected = await firedByPrometheus();
    const first = expected[0]?.startMs ?? 0;
    const intervals = await apiBacktest(
      planRuleFile(compiled.model),
      compiled.model.monitors,
      httpQueryRange(prometheus.url, fetch),
      { startMs: Math.ceil(startMs / 1000) * 1000, endMs: Date.now(), stepMs: 1000 },
    );
    expect(first).toBeGreaterThan(0);
    expectAgreement(intervals, expected);
  }, 120_000);
});
