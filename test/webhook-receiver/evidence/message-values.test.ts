import { describe, expect, it } from "vitest";
import {
  formatNumber,
  formatQuantity,
  formatZ,
} from "../../../webhook-receiver/evidence/quantity.js";
import { signalSummary } from "../../../webhook-receiver/evidence/render-analysis.js";
import { DEFAULT_SCORING, scoreObservation } from "../../../webhook-receiver/evidence/scoring.js";
import type { Observation } from "../../../webhook-receiver/evidence/scoring.js";
import { NEUTRAL_PRIOR } from "../../../webhook-receiver/evidence/priors.js";
import { sparkline } from "../../../webhook-receiver/evidence/sparkline.js";

/** Numbers in messages say what they are: non-finite values, counters and units. */
const STEP = 15_000;
const at = (values: number[]) => values.map((v, i) => ({ t: i * STEP, v }));

describe("the alert's own signal in words", () => {
  it("ends a loss that turned NaN in NaN, not in its last finite value", () => {
    const loss = at([2, 1.95, 1.9, 1.8, 1.7, 1.6, NaN, NaN, NaN]);
    const text = signalSummary({ query: "q", labels: {}, samples: loss, valueKind: "gauge" }, STEP);
    expect(text).toBe("2 → NaN (max 2; 3 of 9 values NaN)");
    expect(sparkline(loss.map((s) => s.v))).toMatch(/×+$/);
  });

  it("says infinities, and a signal that never had a finite value", () => {
    expect(
      signalSummary(
        { query: "q", labels: {}, samples: at([1, Infinity, 2]), valueKind: "gauge" },
        STEP,
      ),
    ).toBe("1 → 2 (max +Inf; 1 of 3 values infinite)");
    expect(signalSummary({ query: "q", labels: {}, samples: at([NaN, NaN]) }, STEP)).toBe(
      "NaN → NaN (2 of 2 values NaN)",
    );
  });

  it("shows a counter as its increase per step and says so, with the window's total", () => {
    // Per-step increases of a counter that went 150 → 900 (what the linked graph shows).
    const increases = at([0, 0, 150, 300, 240, 60, 0]);
    expect(
      signalSummary({ query: "q", labels: {}, samples: increases, valueKind: "counter" }, STEP),
    ).toBe("increase per 15s: 0 → 0 (max 300; 750 over the window)");
    // In its unit, and a NaN among the increases is said, not dropped.
    expect(
      signalSummary(
        {
          query: "q",
          labels: {},
          samples: at([0, NaN, 5e9, 0]),
          valueKind: "counter",
          unit: "bytes",
        },
        STEP,
      ),
    ).toBe(
      "increase per 15s: 0 B → 0 B (max 4.66 GiB; 4.66 GiB over the window; 1 of 4 values NaN)",
    );
  });

  it("puts levels in the monitor's unit", () => {
    const latency = at([0.12, 0.13, 0.9458]);
    expect(
      signalSummary(
        { query: "q", labels: {}, samples: latency, valueKind: "gauge", unit: "seconds" },
        STEP,
      ),
    ).toBe("120 ms → 946 ms (max 946 ms)");
  });
});

describe("values in units", () => {
  it("formats each unit as people read it, and non-finite values bare", () => {
    expect(formatQuantity(0.9458, "seconds")).toBe("946 ms");
    expect(formatQuantity(42, "seconds")).toBe("42 s");
    expect(formatQuantity(0.00002, "seconds")).toBe("20 µs");
    expect(formatQuantity(12.5, "milliseconds")).toBe("12.5 ms");
    expect(formatQuantity(0.5, "milliseconds")).toBe("500 µs");
    expect(formatQuantity(1500, "milliseconds")).toBe("1.5 s");
    expect(formatQuantity(7.2e6, "milliseconds")).toBe("2 h");
    expect(formatQuantity(1.5 * 2 ** 30, "bytes")).toBe("1.5 GiB");
    expect(formatQuantity(512, "bytes")).toBe("512 B");
    expect(formatQuantity(0.953, "ratio")).toBe("95.3%");
    expect(formatQuantity(95.3, "percent")).toBe("95.3%");
    expect(formatQuantity(85, "celsius")).toBe("85 °C");
    expect(formatQuantity(300, "watts")).toBe("300 W");
    expect(formatQuantity(1_410_000_000, "hertz")).toBe("1.41 GHz");
    expect(formatQuantity(12_000, "joules")).toBe("12 kJ");
    expect(formatQuantity(NaN, "seconds")).toBe("NaN");
    expect(formatQuantity(-Infinity, "bytes")).toBe("-Inf");
    expect(formatQuantity(0.25, undefined)).toBe("0.25");
  });

  it("picks the scale for the value as rounded, and hours or days for long durations", () => {
    expect(formatQuantity(0.99999, "seconds")).toBe("1 s");
    expect(formatQuantity(0.0009999, "seconds")).toBe("1 ms");
    expect(formatQuantity(999.95, "joules")).toBe("1 kJ");
    expect(formatQuantity(5400, "seconds")).toBe("5400 s");
    expect(formatQuantity(9000, "seconds")).toBe("2.5 h");
    expect(formatQuantity(1e7, "seconds")).toBe("116 d");
  });

  it("picks a binary or SI prefix on the value as shown, not on one rounded to 1020", () => {
    expect(formatQuantity(2 ** 30, "bytes")).toBe("1 GiB");
    expect(formatQuantity(1024, "bytes")).toBe("1 KiB");
    expect(formatQuantity(1023, "bytes")).toBe("1023 B");
    // Shown as 1024 B, so it is 1 KiB; 2^20 - 1 B likewise is 1 MiB.
    expect(formatQuantity(1023.6, "bytes")).toBe("1 KiB");
    expect(formatQuantity(2 ** 20 - 1, "bytes")).toBe("1 MiB");
    expect(formatQuantity(80 * 2 ** 30, "bytes")).toBe("80 GiB");
    expect(formatQuantity(999.6, "hertz")).toBe("1 kHz");
    expect(formatQuantity(999_600, "hertz")).toBe("1 MHz");
  });

  it("reads counts exactly up to a million, and larger fractions as whole numbers", () => {
    expect(formatNumber(1234)).toBe("1234");
    expect(formatNumber(999_999)).toBe("999999");
    expect(formatNumber(-1234.5)).toBe("-1235");
    expect(formatNumber(1234.56)).toBe("1235");
    expect(formatNumber(123.456)).toBe("123");
    expect(formatNumber(999_999.6)).toBe("1e+6");
    expect(formatNumber(1_234_567)).toBe("1.23e+6");
    expect(formatQuantity(1234.5, "seconds")).toBe("1235 s");
    expect(formatQuantity(1500, "watts")).toBe("1500 W");
  });

  it("never reads 100% (or 0%) for a share that is not exactly that", () => {
    expect(formatQuantity(1, "ratio")).toBe("100%");
    expect(formatQuantity(0.9995, "ratio")).toBe("99.95%");
    expect(formatQuantity(0.99999, "ratio")).toBe("99.999%");
    expect(formatQuantity(1.0004, "ratio")).toBe("100.04%");
    expect(formatQuantity(-0.9995, "ratio")).toBe("-99.95%");
    expect(formatQuantity(99.96, "percent")).toBe("99.96%");
    // Past 7 digits it is cut, not rounded up to 100.
    expect(formatQuantity(0.999999999, "ratio")).toBe("99.99999%");
    expect(formatQuantity(1.0000000001, "ratio")).toBe("100.0001%");
    // Float noise is 100: 0.1 * 3 / 0.3 is 1.0000000000000002.
    expect(formatQuantity((0.1 * 3) / 0.3, "ratio")).toBe("100%");
    expect(formatQuantity(0, "ratio")).toBe("0%");
    expect(formatQuantity(1e-9, "ratio")).not.toBe("0%");
    expect(formatQuantity(0.0004, "percent")).toBe("0.0004%");
    // An availability drop reads as one.
    expect(
      signalSummary(
        { query: "q", labels: {}, samples: at([1, 1, 0.9995]), valueKind: "gauge", unit: "ratio" },
        STEP,
      ),
    ).toBe("100% → 99.95% (max 100%)");
  });

  it("never shows a capped z-score as if it were measured", () => {
    expect(formatZ(12.34)).toBe("z 12.3");
    expect(formatZ(100)).toBe("z ≥ 100");
    expect(formatZ(-100)).toBe("z ≤ -100");
  });
});

describe("evidence explanations", () => {
  const window = { startMs: 0, baselineEndMs: 20 * STEP, onsetMs: 28 * STEP, endMs: 30 * STEP };
  const observation = (values: number[], extra: Partial<Observation> = {}): Observation => ({
    monitor: "grad-norm",
    layer: "model",
    labels: {},
    locality: { locality: "workload", kind: "run", label: "run_id", value: "r-1" },
    valueKind: "gauge",
    values: at(values),
    prior: NEUTRAL_PRIOR,
    ...extra,
  });
  const baseline = Array.from({ length: 20 }, (_, i) => 1 + (i % 3) * 0.01);

  it("names a NaN as a NaN value, not as z 100", () => {
    const e = scoreObservation(observation([...baseline, 1, 1, 1, NaN]), window, DEFAULT_SCORING);
    expect(e.explanation).toContain("strength 1 (a NaN value)");
    expect(e.explanation).not.toMatch(/z 100/);
  });

  it("shows a z at the cap as a bound", () => {
    const e = scoreObservation(observation([...baseline, 1, 1e9]), window, DEFAULT_SCORING);
    expect(e.explanation).toContain("(z ≥ 100)");
  });
});
