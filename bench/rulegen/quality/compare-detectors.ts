import { join } from "node:path";
import { compileSpecs } from "../../../rulegen/compile.js";
import type { FiringInterval } from "../../../rulegen/backtest/firing-intervals.js";
import { scoreAgainstWindows } from "../../../rulegen/backtest/report.js";
import type { Score } from "../../../rulegen/backtest/report.js";
import { adaptiveBaselineRules, BASELINE_ALERTS, robustBaselineRules } from "./grafana-baseline.js";
import { replayThroughPromtool } from "./replay.js";
import type { ReplayInput } from "./replay.js";
import { DAY_MS, labelledSeries } from "./synthetic-series.js";
import type { LabelledSeries, SeriesShape } from "./synthetic-series.js";

export const QUALITY_METRIC = "quality_signal";
const MINUTE = 60_000;

/**
 * The monitors compared, as a user would write them (tuned on this synthetic data; see
 * docs/rulegen.md "Detection quality"): robust with a 1h window, seasonal against the same time a
 * day ago.
 */
export const AIWATCH_SPEC = `version: aiwatch/v1
name: quality
defaults: { scrape_interval: 1m, evaluation_interval: 1m, runbook_base_url: https://runbooks.example.com }
monitors:
  - name: quality-robust
    layer: model
    signal: ${QUALITY_METRIC}
    detector: { type: robust, window: 1h, threshold: 5, min_relative_margin: 0.15 }
    for: 5m
  - name: quality-seasonal
    layer: model
    signal: ${QUALITY_METRIC}
    detector: { type: seasonal, seasons: [1d], window: 1h, threshold: 4, min_relative_margin: 0.15 }
    for: 5m
`;

export interface QualityCase {
  readonly days: number;
  readonly scoredFromMs: number;
  readonly series: readonly LabelledSeries[];
}

const SHAPES: readonly SeriesShape[] = [
  { level: 100, dailyAmplitude: 0.3, noise: 0.03, outlierRate: 0.002 },
  { level: 2000, dailyAmplitude: 0.5, noise: 0.05, outlierRate: 0.005 },
  { level: 40, dailyAmplitude: 0.1, noise: 0.02, outlierRate: 0.001 },
  { level: 500, dailyAmplitude: 0.4, noise: 0.08, outlierRate: 0.01 },
];

/** Five days of one-minute samples per series; incidents on the last three (warm-up done). */
export function qualityCase(seriesCount: number, seed = 1): QualityCase {
  const days = 5;
  const scoredFromMs = 2 * DAY_MS;
  const series = Array.from({ length: seriesCount }, (_, i) =>
    labelledSeries(
      `s${i}`,
      seed * 100 + i,
      SHAPES[i % SHAPES.length] ?? SHAPES[0]!,
      days,
      scoredFromMs,
      3,
    ),
  );
  return { days, scoredFromMs, series };
}

export interface MethodResult {
  readonly method: string;
  readonly score: Score;
  /** Detected / labelled per incident kind and size, e.g. "level-up 30%". */
  readonly byKind: ReadonlyMap<string, { detected: number; labelled: number }>;
  /** False alerts per series and day of the scored range. */
  readonly falseAlertsPerSeriesDay: number;
}

export async function compareDetectors(
  promtool: string,
  dir: string,
  data: QualityCase,
): Promise<MethodResult[]> {
  const inputs: ReplayInput[] = data.series.map((s) => ({
    series: `${QUALITY_METRIC}{anomaly_name="${s.name}", series="${s.name}"}`,
    values: s.values,
  }));
  const compiled = compileSpecs([
    { file: "quality.yaml", text: AIWATCH_SPEC, displayName: "quality.yaml" },
  ]);
  const ours = compiled.specs[0]?.files[0]?.content;
  if (!ours) throw new Error(compiled.diagnostics.map((d) => d.message).join("; "));
  const methods: { method: string; rules: string; selector: string }[] = [
    {
      method: "aiwatch robust",
      rules: ours,
      selector: 'ALERTS{alertstate="firing", monitor="quality-robust"}',
    },
    {
      method: "aiwatch seasonal",
      rules: ours,
      selector: 'ALERTS{alertstate="firing", monitor="quality-seasonal"}',
    },
    {
      method: "grafana adaptive",
      rules: adaptiveBaselineRules(QUALITY_METRIC),
      selector: `ALERTS{alertstate="firing", alertname="${BASELINE_ALERTS.adaptive}"}`,
    },
    {
      method: "grafana robust",
      rules: robustBaselineRules(QUALITY_METRIC),
      selector: `ALERTS{alertstate="firing", alertname="${BASELINE_ALERTS.robust}"}`,
    },
  ];
  // Two at a time: the machine has two cores.
  const results: MethodResult[] = [];
  for (let i = 0; i < methods.length; i += 2) {
    const batch = await Promise.all(
      methods.slice(i, i + 2).map(async (m, j) => {
        const intervals = await replayThroughPromtool(
          promtool,
          join(dir, `m${i + j}`),
          "quality",
          m.rules,
          inputs,
          MINUTE,
          MINUTE,
          m.selector,
        );
        return score(m.method, intervals, data);
      }),
    );
    results.push(...batch);
  }
  return results;
}

function score(
  method: string,
  intervals: readonly FiringInterval[],
  data: QualityCase,
): MethodResult {
  const endMs = data.days * DAY_MS;
  const scored = intervals
    .filter((i) => i.endMs > data.scoredFromMs)
    .map((i) => ({ ...i, monitor: i.labels["series"] ?? "" }));
  const windows = data.series.flatMap((s) =>
    s.incidents.map((incident) => ({
      startMs: incident.startMs,
      endMs: incident.endMs,
      monitor: s.name,
    })),
  );
  const result = scoreAgainstWindows(
    scored,
    windows,
    { startMs: data.scoredFromMs, endMs },
    15 * MINUTE,
  );
  const byKind = new Map<string, { detected: number; labelled: number }>();
  for (const s of data.series)
    for (const incident of s.incidents) {
      const key = `${incident.kind} ${Math.round(incident.size * 100)}%`;
      const entry = byKind.get(key) ?? { detected: 0, labelled: 0 };
      entry.labelled++;
      const window = { startMs: incident.startMs, endMs: incident.endMs, monitor: s.name };
      if (
        scoreAgainstWindows(scored, [window], { startMs: data.scoredFromMs, endMs }, 15 * MINUTE)
          .detected > 0
      )
        entry.detected++;
      byKind.set(key, entry);
    }
  return {
    method,
    score: result,
    byKind: new Map([...byKind].sort(([a], [b]) => a.localeCompare(b))),
    falseAlertsPerSeriesDay: result.falseAlertsPerDay / data.series.length,
  };
}
