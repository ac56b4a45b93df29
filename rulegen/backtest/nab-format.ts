import type { NabFileResult, NabSummary } from "./nab-report.js";

export interface MonitorNabReport {
  readonly monitor: string;
  readonly summary: NabSummary;
  readonly folders: Readonly<Record<string, NabSummary>>;
  readonly files: readonly NabFileResult[];
}

const fixed = (n: number, digits = 1): string => (Number.isNaN(n) ? "-" : n.toFixed(digits));

/** One line per figure the field reports: NAB's three profiles, windows, false episodes. */
export function formatNabSummary(s: NabSummary): string {
  const without =
    s.withoutWindows.files === 0
      ? "no series without windows"
      : `${s.withoutWindows.falseEpisodes} false episode(s) on ${s.withoutWindows.files} series without windows (${fixed(s.withoutWindows.days)} series-days)`;
  return [
    `NAB standard ${fixed(s.scores.standard)}, reward_low_FP_rate ${fixed(s.scores.reward_low_FP_rate)}, reward_low_FN_rate ${fixed(s.scores.reward_low_FN_rate)}`,
    `windows detected ${s.detectedWindows}/${s.windows}; ${s.falseEpisodes} false episode(s) of ${s.episodes} in ${fixed(s.days)} series-days (${fixed(s.falseEpisodesPerSeriesDay, 3)} per series-day); ${without}`,
  ].join("\n");
}

/** The per-folder and per-series table under a monitor's NAB summary. */
export function formatNabTables(report: MonitorNabReport): string {
  const lines: string[] = [];
  const folders = Object.entries(report.folders);
  const width = Math.max(8, ...report.files.map((f) => f.file.length));
  if (folders.length > 1) {
    lines.push(
      `  ${"folder".padEnd(width)}  series  windows  standard  low FP  low FN  false/series-day`,
    );
    for (const [name, s] of folders)
      lines.push(
        `  ${name.padEnd(width)}  ${String(s.files).padStart(6)}  ${`${s.detectedWindows}/${s.windows}`.padStart(7)}  ${fixed(s.scores.standard).padStart(8)}  ${fixed(s.scores.reward_low_FP_rate).padStart(6)}  ${fixed(s.scores.reward_low_FN_rate).padStart(6)}  ${fixed(s.falseEpisodesPerSeriesDay, 3).padStart(16)}`,
      );
    lines.push("");
  }
  lines.push(`  ${"series".padEnd(width)}  windows  episodes  false  raw standard`);
  for (const f of report.files)
    lines.push(
      `  ${f.file.padEnd(width)}  ${`${f.detectedWindows}/${f.windows}`.padStart(7)}  ${String(f.episodes).padStart(8)}  ${String(f.falseEpisodes).padStart(5)}  ${fixed(f.raw.standard, 3).padStart(12)}`,
    );
  return lines.join("\n");
}
