import { basename } from "node:path";
import { formatDuration } from "../../../core/duration.js";
import type { ReplayAlert } from "./replay-report.js";

export interface ReplaySummary {
  readonly log: string;
  readonly format: string;
  readonly runId: string;
  readonly jobName: string;
  /** The rank given to the log's records (`--rank`), if any. */
  readonly rank?: number | undefined;
  readonly records: number;
  readonly firstStep: number | undefined;
  readonly lastStep: number | undefined;
  readonly clock: string;
  readonly durationMs: number;
  readonly scrapeIntervalMs: number;
  readonly evaluationIntervalMs: number;
  readonly spec: string;
  readonly monitors: number;
  readonly refused: readonly {
    readonly line?: number;
    readonly reason: string;
    readonly message: string;
  }[];
  readonly alerts: readonly ReplayAlert[];
}

const CLOCKS: Readonly<Record<string, string>> = {
  "step-time": "the given step time",
  timestamps: "the log's time stamps",
  "step-durations": "the step durations it logged",
};

/** The replay as text: the setting, then one line per firing, in order. */
export function formatReplay(summary: ReplaySummary): string {
  // One run (the usual log): named once here, not on every alert.
  const runs = new Set(
    summary.alerts.map(
      (a) => `${a.labels["run_id"]}\u0000${a.labels["job_name"]}\u0000${a.labels["rank"] ?? ""}`,
    ),
  );
  const hidden = new Set([
    "severity",
    "layer",
    ...(runs.size <= 1 ? ["run_id", "job_name", "rank"] : []),
  ]);
  const lines = [
    `${basename(summary.log)}: ${summary.format} log, ${summary.records} records, steps ${summary.firstStep ?? "?"} to ${summary.lastStep ?? "?"}, ${formatDuration(roundSeconds(summary.durationMs))} on ${CLOCKS[summary.clock] ?? summary.clock}`,
    `replayed as run_id=${summary.runId} job_name=${summary.jobName}${summary.rank === undefined ? "" : ` rank=${summary.rank}`} through the training collector and ${summary.spec} (${summary.monitors} monitors): scrape every ${formatDuration(summary.scrapeIntervalMs)}, rules every ${formatDuration(summary.evaluationIntervalMs)}`,
    "",
  ];
  if (summary.alerts.length === 0) lines.push("no alert fired");
  for (const alert of summary.alerts) {
    const labels = Object.entries(alert.labels)
      .filter(([name]) => !hidden.has(name))
      .map(([name, value]) => `${name}=${value}`)
      .join(" ");
    const fired = `fired at step ${alert.firedAtStep ?? "?"} (${formatDuration(roundSeconds(alert.firedAtMs))})`;
    const until =
      alert.resolvedAtMs === undefined
        ? "still firing at the end"
        : `resolved at step ${alert.resolvedAtStep ?? "?"}`;
    const events =
      alert.events.length === 0
        ? ""
        : `; events at steps ${stepList(alert.events.map((e) => e.step))}`;
    lines.push(`${alert.alertname}${labels ? ` {${labels}}` : ""}: ${fired}, ${until}${events}`);
  }
  const refused = summary.refused;
  lines.push("");
  if (refused.length === 0) lines.push("lines refused: 0");
  else {
    lines.push(`lines or values refused: ${refused.length}`);
    for (const problem of refused.slice(0, 5))
      lines.push(`  ${summary.log}:${problem.line ?? "?"}: ${problem.reason}: ${problem.message}`);
    if (refused.length > 5) lines.push(`  ... and ${refused.length - 5} more`);
  }
  return `${lines.join("\n")}\n`;
}

/** `3, 4, 40-62 (23 steps)`: runs of consecutive logged steps joined, at most 12 items. */
function stepList(steps: readonly number[]): string {
  const items: string[] = [];
  let i = 0;
  while (i < steps.length) {
    let j = i;
    while (j + 1 < steps.length && (steps[j + 1] ?? 0) - (steps[j] ?? 0) <= 10 && j - i < 1000) j++;
    items.push(j === i ? String(steps[i]) : `${steps[i]}-${steps[j]} (${j - i + 1})`);
    i = j + 1;
  }
  return items.length > 12
    ? `${items.slice(0, 12).join(", ")}, ... (${steps.length} in all)`
    : items.join(", ");
}

function roundSeconds(ms: number): number {
  return Math.round(ms / 1000) * 1000;
}
