import type { Comparison } from "../collector/compare-records.js";
import type { DriftProfile } from "../profile/drift-profile.js";

/** A plain table of what a profile holds, for the terminal. */
export function formatProfileSummary(profile: DriftProfile): string {
  const rows = profile.features.map((f) => [
    f.name,
    f.type,
    String(f.count),
    String(f.nulls),
    f.type === "numeric"
      ? `${f.edges.length + 1} bins, ${f.bins.length + 1} coarse; min ${format(f.min)}, max ${format(f.max)}`
      : `${f.categories.length} categories${f.truncated ? ` (+${f.other} values of rarer ones lumped)` : ""}`,
  ]);
  return (
    table(["feature", "type", "values", "nulls", "bins"], rows) +
    `${profile.rows} rows, ${profile.features.length} features; version ${profile.version}, ${profile.content_hash}\n`
  );
}

/** Per feature and method: score, p-value, threshold, verdict; then the dataset verdict. */
export function formatComparison(profile: DriftProfile, comparison: Comparison): string {
  const types = new Map(profile.features.map((f) => [f.name, f.type]));
  const rows = comparison.features.flatMap((feature) =>
    feature.scores === undefined
      ? [
          [
            feature.feature,
            types.get(feature.feature) ?? "",
            "-",
            "-",
            "-",
            "-",
            `too few samples (${feature.windowSamples})`,
          ],
        ]
      : feature.scores.map((s) => [
          feature.feature,
          types.get(feature.feature) ?? "",
          s.method,
          format(s.score),
          s.pValue === undefined ? "" : format(s.pValue),
          format(s.threshold),
          s.detected ? "DRIFT" : "ok",
        ]),
  );
  const { dataset } = comparison;
  const verdict =
    dataset.share === undefined
      ? "dataset drift: not scored (too few samples)\n"
      : `dataset drift: ${dataset.drifted} of ${dataset.scored} features (${(dataset.share * 100).toFixed(0)}%), drift_share ${comparison.driftShare}: ${dataset.detected ? "DETECTED" : "no"}\n`;
  return (
    table(["feature", "type", "method", "score", "p-value", "threshold", "drift"], rows) + verdict
  );
}

function format(value: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e6
    ? String(Number(value.toPrecision(4)))
    : value.toExponential(3);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd() + "\n";
  return [line(header), ...rows.map(line)].join("");
}
