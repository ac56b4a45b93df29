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
  const detectors = [
    "{ type: zscore, window: 1h, threshold: 3 }",
    "{ type: threshold, above: 0.5 }",
    "{ type: nonFinite }",
    "{ type: stall, window: 30m }",
    "{ type: absent }",
    "{ type: increase, window: 10m }",
  ];
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
