import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  NAB_PROFILES,
  normalizeNabScore,
  rowWindows,
  scoreNabSeries,
} from "../../rulegen/backtest/nab-score.js";
import { parseNabWindows } from "../../rulegen/backtest/nab-windows.js";
import { parseTimestamp } from "../../rulegen/backtest/timestamp.js";
import { requireFixtures } from "../support/fixtures.js";

const nab = requireFixtures("nab-dev/numenta-results", "nab-dev/scoreboard", "nab-dev/labels");

function csvRows(path: string): Record<string, string>[] {
  const [header = "", ...lines] = readFileSync(path, "utf8").trim().split(/\r?\n/);
  const names = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? ""]));
  });
}

describe.skipIf(!nab.available)("NAB scoring", () => {
  const dir = join(nab.dir, "nab-dev");
  const windows = parseNabWindows(readFileSync(join(dir, "labels", "windows.json"), "utf8"));
  if (!windows.ok) throw new Error(windows.message);

  it("uses NAB's three cost profiles", () => {
    const profiles = JSON.parse(readFileSync(join(dir, "profiles.json"), "utf8")) as Record<
      string,
      { CostMatrix: { tpWeight: number; fnWeight: number; fpWeight: number } }
    >;
    expect(
      Object.fromEntries(
        Object.entries(profiles).map(([name, p]) => [
          name,
          { tp: p.CostMatrix.tpWeight, fn: p.CostMatrix.fnWeight, fp: p.CostMatrix.fpWeight },
        ]),
      ),
    ).toEqual(NAB_PROFILES);
  });

  it("reproduces NAB's published per-file scores of the Numenta HTM detector to 1e-6", () => {
    const thresholds = JSON.parse(readFileSync(join(dir, "thresholds.json"), "utf8")) as {
      numenta: { standard: { threshold: number } };
    };
    const threshold = thresholds.numenta.standard.threshold;
    const published = csvRows(join(dir, "scoreboard", "numenta_standard_scores.csv"));
    expect(published).toHaveLength(23);
    let total = 0;
    let scored = 0;
    let count = 0;
    for (const row of published) {
      const file = row["File"] ?? "";
      const [category = "", name = ""] = file.split("/");
      const results = csvRows(join(dir, "numenta-results", category, `numenta_${name}`));
      const timestamps = results.map((r) => parseTimestamp(r["timestamp"] ?? "") ?? NaN);
      const detections = results.flatMap((r, i) =>
        Number(r["anomaly_score"]) >= threshold ? [i] : [],
      );
      const labelled = windows.windows.get(file) ?? [];
      const rows = rowWindows(timestamps, labelled);
      expect(rows).toHaveLength(labelled.length);
      const score = scoreNabSeries(
        { rows: timestamps.length, windows: rows, detections },
        NAB_PROFILES.standard,
      );
      expect(Math.abs(score.score - Number(row["Score"])), file).toBeLessThan(1e-6);
      total += score.score;
      scored += score.scoredWindows;
      count += labelled.length;
    }
    // NAB's README for these files: Numenta HTM 73.4 on the standard profile.
    expect(normalizeNabScore(total, count, scored, NAB_PROFILES.standard)).toBeCloseTo(73.376, 3);
  });

  it("scores a null detector 0 and a perfect one 100", () => {
    const series = {
      rows: 100,
      windows: [
        { first: 40, last: 49 },
        { first: 70, last: 79 },
      ],
    };
    const none = scoreNabSeries({ ...series, detections: [] }, NAB_PROFILES.standard);
    expect(normalizeNabScore(none.score, 2, none.scoredWindows, NAB_PROFILES.standard)).toBe(0);
    const first = scoreNabSeries({ ...series, detections: [40, 70] }, NAB_PROFILES.standard);
    expect(
      normalizeNabScore(first.score, 2, first.scoredWindows, NAB_PROFILES.standard),
    ).toBeCloseTo(100, 10);
    // A detection in the probation period (the first 15 rows) is not scored.
    const early = scoreNabSeries({ ...series, detections: [3] }, NAB_PROFILES.standard);
    expect(early).toEqual({ ...none, score: none.score });
    // Just after a window a false detection costs almost nothing; before any, a full fp.
    const after = scoreNabSeries({ ...series, detections: [50] }, NAB_PROFILES.standard);
    const before = scoreNabSeries({ ...series, detections: [20] }, NAB_PROFILES.standard);
    expect(after.score - none.score).toBeCloseTo(0.11 * (2 / (1 + Math.exp(5 / 9)) - 1), 10);
    expect(before.score - none.score).toBeCloseTo(-0.11, 10);
  });
});
