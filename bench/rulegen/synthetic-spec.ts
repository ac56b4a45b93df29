import { DETECTORS } from "../../rulegen/detectors/registry.js";

/**
 * A spec with `count` monitors cycling through every detector, shaped like real ones, for
 * benchmarks that need a large spec.
 */
export function syntheticSpec(count: number): string {
  const lines = [
    "version: aiwatch/v1",
    "name: synthetic",
    "defaults:",
    "  runbook_base_url: https://runbooks.example.com",
    "monitors:",
  ];
  // One of each detector in DETECTORS (rulegen/detectors/registry.ts), with typical
  // parameters; a detector added there and not here stops the benchmark.
  const detectors = [
    "{ type: anomaly }",
    "{ type: zscore, window: 1h, threshold: 3 }",
    "{ type: threshold, above: 0.5 }",
    "{ type: nonFinite }",
    "{ type: stall, window: 30m }",
    "{ type: absent }",
    "{ type: increase, window: 10m }",
    "{ type: robust, window: 1h, threshold: 4 }",
    "{ type: seasonal, seasons: [1d], window: 1h, threshold: 3 }",
    "{ type: spike, window: 30m, factor: 3 }",
    "{ type: trend, window: 30m, min_relative_change: 0.2 }",
    "{ type: forecast, window: 1h, horizon: 4h, above: 100 }",
    "{ type: sloBurnRate, objective: 0.999, total: aiwatch_bench_requests_total }",
    "{ type: ratio, total: aiwatch_bench_requests_total, window: 1h, below: 0.9, min_events: 200 }",
  ];
  const missing = Object.keys(DETECTORS).filter(
    (type) => !detectors.some((d) => new RegExp(`type: ${type}\\b`).test(d)),
  );
  if (missing.length > 0) throw new Error(`syntheticSpec lacks detectors: ${missing.join(", ")}`);
  for (let i = 0; i < count; i++) {
    lines.push(
      `  - name: monitor-${i}`,
      "    layer: model",
      `    signal: aiwatch_bench_metric_${i % 50}_total{job="trainer-${i % 7}"}`,
      "    by: [run_id, job_name]",
      `    detector: ${detectors[i % detectors.length] ?? ""}`,
    );
  }
  return lines.join("\n") + "\n";
}
