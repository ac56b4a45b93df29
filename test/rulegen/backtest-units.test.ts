import { describe, expect, it } from "vitest";
import { applyFor, intervalsFromObservations } from "../../rulegen/backtest/firing-intervals.js";
import { inlineRecordings, recordingsOf } from "../../rulegen/backtest/inline-recordings.js";
import { parseLabelledWindows, parseTime } from "../../rulegen/backtest/labelled-windows.js";
import { parseSampleList } from "../../rulegen/backtest/promtool-output.js";
import { noiseVerdict, scoreAgainstWindows } from "../../rulegen/backtest/report.js";
import { MAX_GRID_SLOTS, parseSeriesFile, toGrid } from "../../rulegen/backtest/series-file.js";
import { gridValues } from "../../rulegen/backtest/promtool-backtest.js";
import { compileSpecs } from "../../rulegen/compile.js";
import { planRuleFile } from "../../rulegen/plan/plan-rule-file.js";
import { parsePromql } from "../../core/promql/parse-promql.js";

const MIN = 60_000;

describe("backtest building blocks", () => {
  it("reads CSV with a header, RFC 3339 or Unix seconds, and special values", () => {
    const parsed = parseSeriesFile(
      "s.csv",
      "timestamp,value\n1700000000,1.5\n2023-11-14T22:13:35Z,NaN\n1700000030,-Inf\n",
    );
    expect(parsed).toEqual({
      ok: true,
      samples: [
        { t: 1_700_000_000_000, v: 1.5 },
        { t: 1_700_000_015_000, v: NaN },
        { t: 1_700_000_030_000, v: -Infinity },
      ],
    });
  });

  it("reports bad CSV lines with their line numbers", () => {
    const parsed = parseSeriesFile("s.csv", "1700000000,1\nyesterday,2\n1700000030,x\n");
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.diagnostics.map((d) => [d.position?.line, d.message])).toEqual([
        [2, 'timestamp "yesterday" is neither RFC 3339 nor Unix seconds'],
        [3, 'value "x" is not a number'],
      ]);
  });

  it("reads JSON pairs and objects, and replays jittered samples at their own times", () => {
    const parsed = parseSeriesFile(
      "s.json",
      '[[1700000000, "1"], {"timestamp": 1700000015.2, "value": 2}, [1700000044.9, 4]]',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    // The grid's step divides every offset (0, 15.2 s, 44.9 s): nothing moves, gaps stay gaps.
    const grid = toGrid(parsed.samples);
    expect(grid).toMatchObject({ intervalMs: 100, startMs: 1_700_000_000_000 });
    expect({ moved: grid.moved, dropped: grid.dropped }).toEqual({ moved: 0, dropped: 0 });
    expect([grid.values[0], grid.values[152], grid.values[449]]).toEqual([1, 2, 4]);
    expect(grid.values.filter((v) => v !== undefined)).toHaveLength(3);
    expect(gridValues(grid.values)).toBe("1 _x151 2 _x296 4");
  });

  it("keeps every sample of a series logged every 1.7 s (a whole-second grid lost 15%)", () => {
    const samples = Array.from({ length: 2000 }, (_, i) => ({
      t: 1_700_000_000_000 + i * 1700,
      v: i,
    }));
    const grid = toGrid(samples);
    expect(grid.intervalMs).toBe(1700);
    expect(grid.values.filter((v) => v !== undefined)).toHaveLength(2000);
    expect({ moved: grid.moved, dropped: grid.dropped }).toEqual({ moved: 0, dropped: 0 });
  });

  it("counts what a grid coarsened to stay under promtool's slot limit moves and drops", () => {
    // Offsets with a 1 ms common step over a span of 3M ms: too many slots.
    const samples = [0, 1, 2, 1_500_000, 3_000_000].map((t, i) => ({ t, v: i }));
    const grid = toGrid(samples);
    expect(grid.values.length).toBeLessThanOrEqual(MAX_GRID_SLOTS);
    expect(grid.intervalMs).toBe(2);
    expect(grid).toMatchObject({ moved: 1, maxShiftMs: 1, dropped: 1 });
  });

  it("applies `for` and keep_firing_for to the steps a condition held", () => {
    const active = [0, 1, 2, 3, 4, 10, 11, 20, 21, 22, 23].map((m) => m * MIN);
    expect(applyFor(active, MIN, 3 * MIN, 0)).toEqual([
      { startMs: 3 * MIN, endMs: 5 * MIN },
      { startMs: 23 * MIN, endMs: 24 * MIN },
    ]);
    // Kept firing over the 5-minute gap: the second run continues the alert without `for`.
    expect(applyFor(active, MIN, 3 * MIN, 6 * MIN)).toEqual([
      { startMs: 3 * MIN, endMs: 18 * MIN },
      { startMs: 23 * MIN, endMs: 30 * MIN },
    ]);
  });

  it("joins per-evaluation observations into intervals per label set", () => {
    const a = { __name__: "ALERTS", alertstate: "firing", monitor: "m", run: "a" };
    const b = { ...a, run: "b" };
    const times = [0, 1, 2, 3, 4].map((m) => m * MIN);
    const firing = new Map([
      [1 * MIN, [a]],
      [2 * MIN, [a, b]],
      [4 * MIN, [b]],
    ]);
    expect(intervalsFromObservations(times, firing, 4 * MIN)).toEqual([
      { monitor: "m", labels: { monitor: "m", run: "a" }, startMs: MIN, endMs: 3 * MIN },
      { monitor: "m", labels: { monitor: "m", run: "b" }, startMs: 2 * MIN, endMs: 3 * MIN },
      { monitor: "m", labels: { monitor: "m", run: "b" }, startMs: 4 * MIN, endMs: 4 * MIN },
    ]);
  });

  it("parses promtool's sample lists, escaped quotes included", () => {
    expect(
      parseSampleList('{__name__="ALERTS", a="x, \\"y\\"", b="{z}"} 1E+00, {a="2"} 1E+00'),
    ).toEqual([{ __name__: "ALERTS", a: 'x, "y"', b: "{z}" }, { a: "2" }]);
  });

  it("inlines recording rules: references become expressions, ranges become subqueries", () => {
    const spec = `version: aiwatch/v1
defaults: { runbook_base_url: https://r.example }
monitors:
  - { name: loss-spike, layer: model, signal: aiwatch_training_loss, by: [run_id], detector: { type: zscore, window: 1h } }
`;
    const model = compileSpecs([{ file: "s.yaml", text: spec, displayName: "s.yaml" }]).specs[0]
      ?.model;
    expect(model).toBeDefined();
    if (!model) return;
    const plan = planRuleFile(model);
    const alert = plan.groups.flatMap((g) => g.rules).find((r) => r.kind === "alert");
    const inlined = inlineRecordings(alert?.expr ?? "", recordingsOf(plan));
    expect(inlined).not.toMatch(/run_id:aiwatch_training_loss:/);
    expect(inlined).toContain(
      "avg_over_time((avg_over_time((avg by (run_id) (aiwatch_training_loss))[10m:1m]))[1h:10m] offset 20m)",
    );
    expect(parsePromql(inlined).problems).toEqual([]);
  });

  it("scores alerts against labelled windows, with a grace period after each window", () => {
    const windows = [
      { startMs: 10 * MIN, endMs: 20 * MIN },
      { startMs: 100 * MIN, endMs: 110 * MIN },
    ];
    const alert = (startMs: number) => ({
      monitor: "m",
      labels: {},
      startMs,
      endMs: startMs + 5 * MIN,
    });
    const score = scoreAgainstWindows(
      [alert(25 * MIN), alert(60 * MIN), alert(200 * MIN)],
      windows,
      { startMs: 0, endMs: 2 * 1440 * MIN },
      10 * MIN,
    );
    expect(score).toEqual({
      labelled: 2,
      detected: 1,
      recall: 0.5,
      falseAlerts: 2,
      falseAlertsPerDay: 1,
    });
    expect(noiseVerdict([alert(25 * MIN)], { startMs: 0, endMs: 2 * 1440 * MIN })).toBe(
      "quiet: 1 alert in 2.0 days (0.50/day), firing 0.2% of the time",
    );
  });

  it("reads labelled windows and relative times", () => {
    expect(
      parseLabelledWindows(
        '{"windows": [{"start": "2024-01-01T00:00:00Z", "end": 1704070800, "monitor": "m"}]}',
      ),
    ).toEqual({
      ok: true,
      windows: [{ startMs: 1_704_067_200_000, endMs: 1_704_070_800_000, monitor: "m" }],
    });
    expect(parseLabelledWindows('[{"start": 2, "end": 1}]')).toEqual({
      ok: false,
      message: "windows[0]: needs start <= end (RFC 3339 or Unix seconds)",
    });
    expect(parseTime("now-2h", 10 * 3_600_000)).toBe(8 * 3_600_000);
  });
});
