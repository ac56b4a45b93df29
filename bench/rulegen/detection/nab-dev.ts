import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  NAB_PROFILE_NAMES,
  NAB_PROFILES,
  normalizeNabScore,
  rowWindows,
  scoreNabSeries,
} from "../../../rulegen/backtest/nab-score.js";
import type { NabProfileName } from "../../../rulegen/backtest/nab-score.js";
import { parseNabWindows } from "../../../rulegen/backtest/nab-windows.js";
import type { TimeWindow } from "../../../rulegen/backtest/nab-windows.js";
import type { SeriesFile } from "../../../rulegen/backtest/replay-plan.js";
import { parseSeriesFile } from "../../../rulegen/backtest/series-file.js";
import { parseTimestamp } from "../../../rulegen/backtest/timestamp.js";

/** The NAB development set in ../shared/fixtures/nab-dev (see its README). */
export interface NabDev {
  readonly files: readonly SeriesFile[];
  readonly windows: ReadonlyMap<string, readonly TimeWindow[]>;
  readonly dataDir: string;
  readonly windowsPath: string;
}

export function loadNabDev(dir: string): NabDev {
  const dataDir = join(dir, "data");
  const windowsPath = join(dir, "labels", "windows.json");
  const windows = parseNabWindows(readFileSync(windowsPath, "utf8"));
  if (!windows.ok) throw new Error(`${windowsPath}: ${windows.message}`);
  const files: SeriesFile[] = [];
  for (const category of readdirSync(dataDir).sort())
    for (const name of readdirSync(join(dataDir, category)).sort()) {
      const file = `${category}/${name}`;
      const parsed = parseSeriesFile(file, readFileSync(join(dataDir, file), "utf8"));
      if (!parsed.ok) throw new Error(`${file}: ${parsed.diagnostics[0]?.message ?? "unreadable"}`);
      files.push({ name: file, samples: parsed.samples });
    }
  return { files, windows: windows.windows, dataDir, windowsPath };
}

/** Per category (and "total"): normalised standard score of a published detector. */
export type CategoryScores = ReadonlyMap<string, number>;

/**
 * NAB's published per-file raw scores (scoreboard/<detector>_standard_scores.csv),
 * normalised per category as NAB normalises the corpus: null = every window missed.
 */
export function publishedStandardScores(
  dir: string,
  windowCount: ReadonlyMap<string, number>,
): Map<string, CategoryScores> {
  const out = new Map<string, CategoryScores>();
  const board = join(dir, "scoreboard");
  for (const file of readdirSync(board).sort()) {
    const detector = file.replace(/_standard_scores\.csv$/, "");
    if (detector === file || detector === "null") continue;
    const raw = new Map<string, number>();
    for (const row of csvRows(join(board, file))) {
      const category = (row["File"] ?? "").split("/")[0] ?? "";
      raw.set(category, (raw.get(category) ?? 0) + Number(row["Score"]));
    }
    out.set(detector, normaliseByCategory(raw, windowCount, "standard"));
  }
  return out;
}

/**
 * Numenta HTM on all three profiles, from its per-row output at NAB's threshold for each
 * profile (thresholds.json), scored with our scorer (which reproduces NAB's published
 * standard scores to 1e-6: test/rulegen/nab-score.test.ts).
 */
export function numentaProfiles(
  dev: NabDev,
  dir: string,
  windowCount: ReadonlyMap<string, number>,
): Map<NabProfileName, CategoryScores> {
  const thresholds = JSON.parse(readFileSync(join(dir, "thresholds.json"), "utf8")) as Record<
    string,
    Record<string, { threshold: number }>
  >;
  const out = new Map<NabProfileName, CategoryScores>();
  for (const profile of NAB_PROFILE_NAMES) {
    const threshold = thresholds["numenta"]?.[profile]?.threshold ?? NaN;
    const raw = new Map<string, number>();
    for (const file of dev.files) {
      const [category = "", name = ""] = file.name.split("/");
      const rows = csvRows(join(dir, "numenta-results", category, `numenta_${name}`));
      const timestamps = rows.map((r) => parseTimestamp(r["timestamp"] ?? "") ?? NaN);
      const detections = rows.flatMap((r, i) =>
        Number(r["anomaly_score"]) >= threshold ? [i] : [],
      );
      const score = scoreNabSeries(
        {
          rows: timestamps.length,
          windows: rowWindows(timestamps, dev.windows.get(file.name) ?? []),
          detections,
        },
        NAB_PROFILES[profile],
      );
      raw.set(category, (raw.get(category) ?? 0) + score.score);
    }
    out.set(profile, normaliseByCategory(raw, windowCount, profile));
  }
  return out;
}

function normaliseByCategory(
  raw: ReadonlyMap<string, number>,
  windowCount: ReadonlyMap<string, number>,
  profile: NabProfileName,
): Map<string, number> {
  const scores = new Map<string, number>();
  let total = 0;
  let windows = 0;
  for (const [category, score] of raw) {
    const n = windowCount.get(category) ?? 0;
    scores.set(category, normalizeNabScore(score, n, n, NAB_PROFILES[profile]));
    total += score;
    windows += n;
  }
  scores.set("total", normalizeNabScore(total, windows, windows, NAB_PROFILES[profile]));
  return scores;
}

function csvRows(path: string): Record<string, string>[] {
  const [header = "", ...lines] = readFileSync(path, "utf8").trim().split(/\r?\n/);
  const names = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? ""]));
  });
}
