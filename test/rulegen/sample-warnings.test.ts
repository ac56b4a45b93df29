import { describe, expect, it } from "vitest";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { sampleIntervalMs, seriesSampleWarnings } from "../../rulegen/backtest/sample-warnings.js";
import { compileSpecs } from "../../rulegen/compile.js";

function compile(defaults: string, detector: string, extra = "") {
  const text = [
    "version: aiwatch/v1",
    "name: warn",
    `defaults: { ${defaults}, runbook_base_url: https://runbooks.example.com }`,
    "monitors:",
    `  - { name: m, layer: model, signal: value, detector: ${detector}${extra} }`,
    "",
  ].join("\n");
  return compileSpecs([{ file: "warn.yaml", text, displayName: "warn.yaml" }]);
}

const MIN = 60_000;
const series = (stepMs: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ t: 1_700_000_000_000 + i * stepMs, v: 1 }));

describe("warnings about samples per window", () => {
  it("warns, without failing the compile, when a window holds too few samples", () => {
    const result = compile("scrape_interval: 10m", "{ type: robust, window: 1h }");
    expect(result.specs).toHaveLength(1);
    expect(formatDiagnostics(result.diagnostics)).toBe(
      "warn.yaml:5:79: warning few-samples: the median's 1h window holds only 6 samples at one every 10m: its statistics will be rough; lengthen it\n",
    );
  });

  it("warns when the anomaly detector's bucket is shorter than the scrape interval", () => {
    const result = compile("scrape_interval: 2h, evaluation_interval: 1m", "{ type: anomaly }");
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.message])).toEqual([
      [
        "warning",
        "few-samples",
        "detector.bucket (1h) is shorter than the scrape interval (2h): most buckets hold no sample; set bucket to at least the sample interval",
      ],
    ]);
  });

  it("says in a backtest when the spec's scrape interval makes a coverage gate impossible", () => {
    // robust at the default 15s scrape interval asks 216 samples an hour: 5-minute data
    // gives 12, so the rule can never fire.
    const result = compile("scrape_interval: 15s", "{ type: robust, window: 1h }");
    const model = result.specs[0]?.model;
    if (!model) throw new Error("no model");
    const samples = series(5 * MIN, 100);
    expect(sampleIntervalMs(samples)).toBe(5 * MIN);
    expect(seriesSampleWarnings(model.monitors, model.settings, "s.csv", samples)).toEqual([
      "m cannot fire on s.csv: the median's 1h window must hold 216 samples (sized for one every 15s), the series has one every 5m (12 in 1h); set defaults.scrape_interval to 5m or lengthen detector.window",
    ]);
    // At the series' own interval the gate can be met.
    const fixed = compile("scrape_interval: 5m", "{ type: robust, window: 1h }").specs[0]?.model;
    if (!fixed) throw new Error("no model");
    expect(seriesSampleWarnings(fixed.monitors, fixed.settings, "s.csv", samples)).toEqual([]);
  });

  it("says when `for` outlasts the lookback on a series sampled every 10 minutes", () => {
    const model = compile("scrape_interval: 10m", "{ type: threshold, above: 1 }", ", for: 10m")
      .specs[0]?.model;
    if (!model) throw new Error("no model");
    expect(
      seriesSampleWarnings(model.monitors, model.settings, "s.csv", series(10 * MIN, 50)),
    ).toEqual([
      "m cannot fire on s.csv: the series has one sample every 10m, and Prometheus sees a sample for 5m, so the condition never holds for `for: 10m`",
    ]);
  });

  it("the anomaly detector has no such limit up to its bucket: hourly data is fine", () => {
    const model = compile("scrape_interval: 15s", "{ type: anomaly }").specs[0]?.model;
    if (!model) throw new Error("no model");
    expect(
      seriesSampleWarnings(model.monitors, model.settings, "s.csv", series(60 * MIN, 500)),
    ).toEqual([]);
    expect(
      seriesSampleWarnings(model.monitors, model.settings, "s.csv", series(24 * 60 * MIN, 50)),
    ).toEqual([
      "m cannot fire on s.csv: the warm-up (24 buckets of 1h with a sample) must hold 24 samples (sized for one every 15s), the series has one every 1d (7 in 1w); set defaults.scrape_interval to 1d or lengthen detector.bucket",
    ]);
  });
});
