import { describe, expect, it } from "vitest";
import {
  niceTicks,
  timeTicks,
  valueAxis,
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
  });

  it("labels value ticks in the unit as messages and Grafana write it, one scale an axis", () => {
    const labels = (min: number, max: number, unit: string) =>
      valueAxis(min, max, 5, unit).map((t) => t.label);
    // Bytes in binary prefixes, on ticks round in GiB (not "1.07G B", "85.9G B").
    expect(labels(0, 80 * 2 ** 30, "bytes")).toEqual([
      "0 GiB",
      "20 GiB",
      "40 GiB",
      "60 GiB",
      "80 GiB",
    ]);
    expect(labels(0, 2 ** 30, "bytes")).toEqual([
      "0 GiB",
      "0.25 GiB",
      "0.5 GiB",
      "0.75 GiB",
      "1 GiB",
    ]);
    expect(valueAxis(0, 80 * 2 ** 30, 5, "bytes")[4]?.value).toBe(80 * 2 ** 30);
    expect(labels(0, 1200, "milliseconds")).toEqual(["0 s", "0.5 s", "1 s", "1.5 s"]);
    expect(labels(0, 0.46, "seconds")).toEqual(["0 ms", "200 ms", "400 ms", "600 ms"]);
    expect(labels(0, 9000, "seconds")).toEqual(["0 h", "1 h", "2 h", "3 h"]);
    expect(labels(0, 5400, "seconds")).toEqual(["0 s", "2000 s", "4000 s", "6000 s"]);
    // Neighbouring ticks never read the same.
    expect(labels(0.999, 1, "ratio")).toEqual(["99.85%", "99.9%", "99.95%", "100%"]);
    expect(labels(60, 85, "celsius")).toEqual(["60 °C", "70 °C", "80 °C", "90 °C"]);
    expect(labels(0, 1.41e9, "hertz")).toEqual(["0 GHz", "0.5 GHz", "1 GHz", "1.5 GHz"]);
    expect(labels(0, 1500, "volts")).toEqual(["0 kV", "0.5 kV", "1 kV", "1.5 kV"]);
    // A gauge at 1e-6 (a learning rate) or a million: digits down to the step's, not "0".
    expect(labels(3e-5, 3.0002e-5, "")).toEqual([
      "3e-5",
      "3.00005e-5",
      "3.0001e-5",
      "3.00015e-5",
      "3.0002e-5",
    ]);
    expect(labels(1.2e6, 1.2004e6, "watts")[1]).toBe("1.2001e+6 W");
    expect(labels(0, 15_000, "events per 15s")).toEqual(["0", "5k", "10k", "15k"]);
    expect(labels(10_500, 11_000, "")).toEqual(["10.4k", "10.6k", "10.8k", "11k"]);
  });

  it("draws the y axis of a bytes chart in GiB", () => {
    const gib = 2 ** 30;
    const svg = renderChartSvg(chart([10 * gib, 50 * gib, 78 * gib], { unit: "bytes" }));
    expect(svg).toContain(">80 GiB</text>");
    expect(svg).not.toMatch(/G B</);
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
    // A level's declared unit wins (a `_ms` histogram names none the axis knows).
    expect(unitOf("inference_latency_ms", "gauge", 1000, "milliseconds")).toBe("milliseconds");
    expect(unitOf("aiwatch_dropped_bytes_total", "counter", 1000, "bytes")).toBe("events per 1s");
  });
});
