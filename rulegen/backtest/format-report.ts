import { formatDuration } from "../../core/duration.js";
import type { FiringInterval } from "./firing-intervals.js";
import type { LabelledWindow, Score } from "./report.js";
import { countsPerDay, noiseVerdict, scoreAgainstWindows } from "./report.js";

export interface MonitorBacktest {
  readonly monitor: string;
  readonly intervals: readonly FiringInterval[];
  readonly verdict: string;
  readonly perDay: Readonly<Record<string, number>>;
  readonly score?: Score;
}

export interface BacktestReport {
  readonly source: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly monitors: readonly MonitorBacktest[];
  readonly skipped: readonly { readonly monitor: string; readonly reason: string }[];
}

export function buildReport(
  source: string,
  range: { startMs: number; endMs: number },
  monitorNames: readonly string[],
  intervals: readonly FiringInterval[],
  skipped: BacktestReport["skipped"],
  windows: readonly LabelledWindow[] | undefined,
  graceMs: number,
): BacktestReport {
  return {
    source,
    ...range,
    skipped,
    monitors: monitorNames.map((monitor) => {
      const own = intervals.filter((i) => i.monitor === monitor);
      const relevant = windows?.filter((w) => w.monitor === undefined || w.monitor === monitor);
      return {
        monitor,
        intervals: own,
        verdict: noiseVerdict(own, range),
        perDay: Object.fromEntries(countsPerDay(own)),
        ...(relevant ? { score: scoreAgainstWindows(own, relevant, range, graceMs) } : {}),
      };
    }),
  };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

function labelText(labels: Readonly<Record<string, string>>): string {
  const skip = new Set(["alertname", "monitor", "layer", "severity"]);
  const parts = Object.keys(labels)
    .filter((k) => !skip.has(k))
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(", ")}}`;
}

export function formatReport(report: BacktestReport): string {
  const lines: string[] = [
    `backtest of ${report.source}, ${iso(report.startMs)} .. ${iso(report.endMs)}`,
    "",
  ];
  for (const m of report.monitors) {
    lines.push(m.monitor);
    const byLabels = new Map<string, FiringInterval[]>();
    for (const i of m.intervals) {
      const key = labelText(i.labels);
      byLabels.set(key, [...(byLabels.get(key) ?? []), i]);
    }
    for (const [labels, list] of byLabels) {
      lines.push(`  ${labels}`);
      for (const i of list)
        lines.push(
          `    ${iso(i.startMs)} .. ${iso(i.endMs)}  (${formatDuration(i.endMs - i.startMs)})`,
        );
    }
    const days = Object.entries(m.perDay);
    if (days.length > 0) lines.push(`  per day: ${days.map(([d, n]) => `${d} ${n}`).join(", ")}`);
    lines.push(`  verdict: ${m.verdict}`);
    if (m.score) {
      const s = m.score;
      lines.push(
        `  score: recall ${s.detected}/${s.labelled}${Number.isNaN(s.recall) ? "" : ` (${(s.recall * 100).toFixed(0)}%)`}, ${s.falseAlerts} false alert${s.falseAlerts === 1 ? "" : "s"} (${s.falseAlertsPerDay.toFixed(2)}/day)`,
      );
    }
    lines.push("");
  }
  for (const s of report.skipped) lines.push(`skipped ${s.monitor}: ${s.reason}`);
  return lines.join("\n").replace(/\n+$/, "\n");
}
