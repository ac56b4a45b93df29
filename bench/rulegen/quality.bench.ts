import { findBinary } from "../../core/find-binary.js";
import type { BenchRow, Benchmark } from "../support/benchmark.js";
import { compareDetectors, qualityCase } from "./quality/compare-detectors.js";

const SERIES = 8;

/**
 * Detection quality, not speed: recall on labelled incidents and false alerts per series
 * and day, for aiwatch's robust and seasonal monitors and for Grafana's adaptive and
 * robust strategies (our implementation of their formulas), all replayed through
 * Prometheus's rule engine (promtool) over the same synthetic labelled series. Two seeds:
 * the monitors were tuned on seed 1; seed 2 is data they have not seen.
 */
export const syntheticQualityBenchmark: Benchmark = {
  id: "rulegen-synthetic-quality",
  name: "synthetic detection check (unit level): aiwatch robust/seasonal vs Grafana adaptive/robust on generated labelled series",
  part: "rulegen",
  async run(context) {
    const promtool = findBinary(["promtool"], process.env);
    if (!promtool) throw new Error("needs promtool (scripts/install-deps.sh)");
    const rows: BenchRow[] = [];
    for (const seed of [1, 2]) {
      const data = qualityCase(SERIES, seed);
      const labelled = data.series.reduce((n, s) => n + s.incidents.length, 0);
      context.log(`seed ${seed}: ${SERIES} series x 3 scored days, ${labelled} labelled incidents`);
      const results = await compareDetectors(promtool, `${context.scratchDir}/seed-${seed}`, data);
      for (const r of results)
        context.log(
          `  ${r.method.padEnd(17)} recall ${(r.score.recall * 100).toFixed(0)}% (${r.score.detected}/${r.score.labelled}), ${r.score.falseAlerts} false alerts = ${r.falseAlertsPerSeriesDay.toFixed(3)} per series-day`,
        );
      const kinds = [...(results[0]?.byKind.keys() ?? [])];
      context.log(`  detected by kind and size: ${results.map((r) => r.method).join(" / ")}`);
      for (const kind of kinds)
        context.log(
          `    ${kind.padEnd(18)} ${results.map((r) => `${r.byKind.get(kind)?.detected ?? 0}/${r.byKind.get(kind)?.labelled ?? 0}`).join("  ")}`,
        );
      const grafana = results.filter((r) => r.method.startsWith("grafana"));
      const bestRecall = Math.max(...grafana.map((r) => r.score.recall));
      const fewestFalse = Math.min(...grafana.map((r) => r.falseAlertsPerSeriesDay));
      for (const ours of results.filter((r) => r.method.startsWith("aiwatch")))
        rows.push({
          what: `seed ${seed}: ${ours.method} recall (false alerts ${ours.falseAlertsPerSeriesDay.toFixed(3)}/series-day vs Grafana's fewest ${fewestFalse.toFixed(3)})`,
          value: ours.score.recall,
          unit: "recall",
          baselineName: "Grafana's best recall",
          baseline: bestRecall,
          budget: "more recall at equal or fewer false alerts",
          withinBudget:
            ours.score.recall > bestRecall && ours.falseAlertsPerSeriesDay <= fewestFalse,
        });
    }
    return rows;
  },
};
