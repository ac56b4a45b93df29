import { describe, expect, it } from "vitest";
import {
  formatTick,
  niceTicks,
  timeTicks,
} from "../../../webhook-receiver/incidents/chart-scale.js";
import type {
  ChartLine,
  EvidenceChart,
  StoredValue,
} from "../../../webhook-receiver/incidents/incident-evidence.js";
import { renderChartSvg } from "../../../webhook-receiver/incidents/svg-chart.js";
import { unitOf } from "../../../webhook-receiver/incidents/units.js";

const ONSET = Date.parse("2026-11-22T03:00:00.000Z");
const at = (i: number): number => ONSET + (i - 5) * 15_000;

/** A line on a 15 s grid from five steps before the onset. */
function line(name: string, role: ChartLine["role"], values: (StoredValue | null)[]): ChartLine {
  return { name, role, startMs: at(0), stepMs: 15_000, values };
}

function chart(values: (StoredValue | null)[], extra: Partial<EvidenceChart> = {}): EvidenceChart {
  return {
    title: "loss",
    labels: {},
    unit: "",
    lines: [line("loss", "signal", values)],
    markers: [{ t: ONSET, kind: "onset", label: "onset" }],
    ...extra,
  };
}

describe("evidence charts", () => {
  it("breaks the line where data is missing and shades NaN and Inf stretches", () => {
    const svg = renderChartSvg(
      // Three steps of no data after the fifth.
      chart([1, 1.1, "NaN", "+Inf", 1.2, 1.3, null, null, null, 2, 2.1]),
    );
    const path = /<path data-line="signal"[^>]* d="([^"]+)"/.exec(svg)?.[1] ?? "";
    expect(path.match(/M/g)).toHaveLength(3);
    expect(path.match(/L/g)).toHaveLength(3);
    expect(svg).toMatch(/<rect data-nonfinite="NaN\/\+Inf"/);
    expect(svg).toContain(">NaN / Inf</text>");
    expect(svg).toMatch(/<line data-marker="onset"/);
    expect(svg).toContain(">onset</text>");
  });

  it("draws the baseline mean in a style of its own; the band's two sides share one", () => {
    const flat = (v: number) => [v, ...Array<null>(9).fill(null), v];
    const svg = renderChartSvg(
      chart([1], {
        lines: [
          line("loss", "signal", flat(1)),
          line("baseline mean", "band", flat(1)),
          line("upper band", "band", flat(1.5)),
          line("lower band", "band", flat(0.5)),
        ],
      }),
    );
    const styleOf = (name: string): string =>
      /stroke="([^"]+)"[^>]*stroke-dasharray="([^"]+)"/
        .exec(new RegExp(`<path data-line="band" data-name="${name}"[^>]*>`).exec(svg)?.[0] ?? "")
        ?.slice(1)
        .join(" ") ?? "";
    expect(styleOf("baseline mean")).not.toBe("");
    expect(styleOf("upper band")).toBe(styleOf("lower band"));
    expect(styleOf("baseline mean")).not.toBe(styleOf("upper band"));
    // The legend shows each line as it is drawn.
    const swatch = (label: string): string =>
      new RegExp(`<g [^>]*><line ([^>]*)/><text [^>]*>${label}</text></g>`).exec(svg)?.[1] ?? "";
    expect(swatch("baseline mean")).toContain(styleOf("baseline mean").split(" ")[0] ?? "?");
    expect(swatch("baseline mean")).not.toBe(swatch("upper band"));
    expect(swatch("upper band")).toBe(swatch("lower band"));
  });

  it("draws the threshold, the scoring band and band lines on the same scale as the signal", () => {
    const svg = renderChartSvg(
      chart([0.1], {
        unit: "ratio",
        threshold: { value: 0.5, label: "alert threshold 0.5" },
        band: { lower: 0.05, upper: 0.2, label: "baseline" },
        lines: [
          line("drift", "signal", [0.1, ...Array<null>(9).fill(null), 0.15]),
          line("upper band", "band", [0.3, ...Array<null>(9).fill(null), 0.3]),
        ],
      }),
    );
    // The axis reaches past the threshold, above every value.
    expect(svg).toContain(">60%</text>");
    expect(svg).toMatch(/data-threshold="0.5"/);
    expect(svg).toMatch(/<rect data-band="scoring"/);
    expect(svg).toMatch(/<path data-line="band" data-name="upper band"/);
    expect(svg).toContain('data-axis="y"');
    expect(svg).toContain(">ratio</text>");
  });

  it("writes titles, names and labels as text", () => {
    const svg = renderChartSvg(
      chart([1], {
        title: '<script>alert(1)</script><svg onload="x">',
        lines: [line("</text><script>", "signal", [1])],
      }),
    );
    expect(svg).not.toMatch(/<script|<svg onload/);
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // The line's name is drawn too (in the legend), as text.
    expect(svg).toContain(">&lt;/text&gt;&lt;script&gt;</text>");
  });
});

describe("chart scales and units", () => {
  it("ticks on round values and on round durations from the onset", () => {
    expect(niceTicks(0.03, 0.46, 5)).toEqual([0, 0.2, 0.4, 0.6]);
    expect(niceTicks(-3, 97, 5)).toEqual([-25, 0, 25, 50, 75, 100]);
    expect(niceTicks(5, 5, 5)).toEqual([4.5, 4.75, 5, 5.25, 5.5]);
    expect(timeTicks(ONSET - 60_000, ONSET + 30_000, ONSET, 7).map((t) => t.label)).toEqual([
      "−1m",
      "−45s",
      "−30s",
      "−15s",
      "onset",
      "+15s",
      "+30s",
    ]);
    expect(formatTick(0.25, "seconds")).toBe("250ms");
    expect(formatTick(0.5, "ratio")).toBe("50%");
    expect(formatTick(72, "celsius")).toBe("72°C");
    expect(formatTick(2_500_000_000, "bytes")).toBe("2.5G B");
  });

  it("reads the unit from the metric name's suffix", () => {
    expect(
      unitOf(
        "histogram_quantile(0.99, sum by (le) (rate(aiwatch_inference_request_duration_seconds_bucket[5m])))",
        "gauge",
        15_000,
      ),
    ).toBe("seconds");
    expect(
      unitOf("aiwatch_gpu_memory_used_bytes / aiwatch_gpu_memory_total_bytes", "gauge", 1000),
    ).toBe("");
    expect(unitOf('aiwatch_data_drift_score{method="psi"}', "gauge", 1000)).toBe("");
    expect(unitOf("aiwatch_gpu_xid_events_total", "counter", 1000)).toBe("events per 1s");
    expect(unitOf("aiwatch_gpu_temperature_celsius", "gauge", 60_000)).toBe("celsius");
  });
});
