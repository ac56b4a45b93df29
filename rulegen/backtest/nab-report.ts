import {
  firstAtOrAfter,
  NAB_PROFILE_NAMES,
  NAB_PROFILES,
  normalizeNabScore,
  rowWindows,
  scoreNabSeries,
} from "./nab-score.js";
import type { NabProfileName } from "./nab-score.js";
import type { TimeWindow } from "./nab-windows.js";

const DAY = 86_400_000;

/** One monitor on one labelled series, scored the way NAB scores a detector. */
export interface NabFileResult {
  readonly file: string;
  readonly rows: number;
  readonly days: number;
  readonly windows: number;
  readonly scoredWindows: number;
  readonly detectedWindows: number;
  /** Alert episodes (an episode's detection is the first row at or after it starts). */
  readonly episodes: number;
  /** Episodes whose detection row lies in no window (probation included). */
  readonly falseEpisodes: number;
  /** Raw NAB score per profile. */
  readonly raw: Readonly<Record<NabProfileName, number>>;
}

export interface NabSummary {
  readonly files: number;
  readonly windows: number;
  readonly detectedWindows: number;
  readonly episodes: number;
  readonly falseEpisodes: number;
  readonly days: number;
  readonly falseEpisodesPerSeriesDay: number;
  /** Normalised NAB score per profile (null detector 0, perfect 100); NaN with no window. */
  readonly scores: Readonly<Record<NabProfileName, number>>;
  /** Series labelled without any window: every episode on them is false. */
  readonly withoutWindows: {
    readonly files: number;
    readonly days: number;
    readonly falseEpisodes: number;
  };
}

export function scoreNabFile(
  file: string,
  timestamps: readonly number[],
  episodeStartsMs: readonly number[],
  windows: readonly TimeWindow[],
): NabFileResult {
  const rows = rowWindows(timestamps, windows);
  const detections = episodeStartsMs
    .map((t) => firstAtOrAfter(timestamps, t))
    .filter((i) => i < timestamps.length);
  const raw = Object.fromEntries(
    NAB_PROFILE_NAMES.map((p) => [
      p,
      scoreNabSeries({ rows: timestamps.length, windows: rows, detections }, NAB_PROFILES[p]),
    ]),
  ) as Record<NabProfileName, ReturnType<typeof scoreNabSeries>>;
  const inWindow = (i: number): boolean => rows.some((w) => w.first <= i && i <= w.last);
  const falseEpisodes = episodeStartsMs.length - detections.filter((i) => inWindow(i)).length;
  const first = timestamps[0] ?? 0;
  const last = timestamps[timestamps.length - 1] ?? first;
  return {
    file,
    rows: timestamps.length,
    days: (last - first) / DAY,
    windows: windows.length,
    scoredWindows: raw.standard.scoredWindows,
    detectedWindows: raw.standard.detectedWindows,
    episodes: episodeStartsMs.length,
    falseEpisodes,
    raw: Object.fromEntries(NAB_PROFILE_NAMES.map((p) => [p, raw[p].score])) as Record<
      NabProfileName,
      number
    >,
  };
}

export function summarizeNab(results: readonly NabFileResult[]): NabSummary {
  const sum = (f: (r: NabFileResult) => number, rs = results): number =>
    rs.reduce((n, r) => n + f(r), 0);
  const windows = sum((r) => r.windows);
  const scored = sum((r) => r.scoredWindows);
  const days = sum((r) => r.days);
  const without = results.filter((r) => r.windows === 0);
  return {
    files: results.length,
    windows,
    detectedWindows: sum((r) => r.detectedWindows),
    episodes: sum((r) => r.episodes),
    falseEpisodes: sum((r) => r.falseEpisodes),
    days,
    falseEpisodesPerSeriesDay: days > 0 ? sum((r) => r.falseEpisodes) / days : 0,
    scores: Object.fromEntries(
      NAB_PROFILE_NAMES.map((p) => [
        p,
        windows === 0
          ? NaN
          : normalizeNabScore(
              sum((r) => r.raw[p]),
              windows,
              scored,
              NAB_PROFILES[p],
            ),
      ]),
    ) as Record<NabProfileName, number>,
    withoutWindows: {
      files: without.length,
      days: sum((r) => r.days, without),
      falseEpisodes: sum((r) => r.falseEpisodes, without),
    },
  };
}

/** Subtotals per top folder of the series names (NAB's categories: realTweets, ...). */
export function summarizeByFolder(results: readonly NabFileResult[]): Map<string, NabSummary> {
  const folders = new Map<string, NabFileResult[]>();
  for (const r of results) {
    const folder = r.file.includes("/") ? (r.file.split("/")[0] ?? "") : ".";
    folders.set(folder, [...(folders.get(folder) ?? []), r]);
  }
  return new Map(
    [...folders].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, rs]) => [f, summarizeNab(rs)]),
  );
}
