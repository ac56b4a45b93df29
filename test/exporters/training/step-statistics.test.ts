import { describe, expect, it } from "vitest";
import { OverflowWindow } from "../../../exporters/training/statistics/overflow-window.js";
import { SortedWindow } from "../../../exporters/training/statistics/sorted-window.js";
import {
  statisticsConfigSchema,
  statisticsPolicies,
} from "../../../exporters/training/statistics/statistics-config.js";
import { StreamStatistics } from "../../../exporters/training/statistics/stream-statistics.js";
import { TrailingBest } from "../../../exporters/training/statistics/trailing-best.js";

const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] ?? NaN) : ((s[n / 2 - 1] ?? NaN) + (s[n / 2] ?? NaN)) / 2;
};

/** A deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

const defaults = statisticsPolicies(statisticsConfigSchema.parse({}));

describe("step-resolution statistics", () => {
  it("keep the window's median, extremes and MAD exactly as a sort would", () => {
    const next = random(7);
    const window = new SortedWindow(16);
    const values: number[] = [];
    for (let i = 0; i < 500; i++) {
      // Ties and repeats too: quantised values.
      const value = Math.round(next() * 40) / 4 - (i % 50 === 0 ? 100 : 0);
      window.push(value);
      values.push(value);
      const last = values.slice(-16);
      const m = median(last);
      expect(window.size).toBe(last.length);
      expect(window.median()).toBe(m);
      expect(window.min()).toBe(Math.min(...last));
      expect(window.max()).toBe(Math.max(...last));
      expect(window.medianAbsoluteDeviation(m)).toBe(median(last.map((v) => Math.abs(v - m))));
      const k = Math.min(5, last.length);
      expect(window.recentMedian(k, new Float64Array(8))).toBe(median(last.slice(-k)));
    }
    // Memory is the capacity's, whatever the stream's length.
    expect(window.bytes).toBe(2 * 8 * 16);
  });

  it("keep the best level of roughly the last span values in constant memory", () => {
    const best = new TrailingBest(100, 10, false);
    for (let i = 0; i < 1000; i++) best.push(i === 500 ? -5 : 1000 - i);
    // -5 was 500 values ago: out of the span; the best since is the latest.
    expect(best.value()).toBe(1);
    expect(best.bytes).toBe(10 * 8);
    const high = new TrailingBest(100, 10, true);
    for (let i = 0; i < 50; i++) high.push(i);
    expect(high.value()).toBe(49);
  });

  it("flag a one-step loss spike above the band, and not the noise around it", () => {
    const loss = new StreamStatistics(defaults.policy("loss", false), defaults.settings);
    const next = random(3);
    const verdicts: number[] = [];
    for (let step = 0; step < 300; step++) {
      const noise = 3.3 * (1 + 0.04 * (next() - 0.5));
      verdicts.push(loss.observe(step === 200 ? 3.3 * 1.3 : noise).outlier);
    }
    expect(verdicts.flatMap((v, step) => (v !== 0 ? [step] : []))).toEqual([200]);
  });

  it("count a sustained climb of the loss level as degraded steps, not a lone spike", () => {
    const loss = new StreamStatistics(defaults.policy("loss", false), defaults.settings);
    const degraded: number[] = [];
    for (let step = 0; step < 200; step++) {
      // Falling to 2.0 by step 100, one spike at 120, then a climb of 1.3% per step.
      const value =
        step < 100 ? 4 - step / 50 : step === 120 ? 4 : 2 * (1 + Math.max(0, step - 150) * 0.013);
      if (loss.observe(value).degraded) degraded.push(step);
    }
    // +12% takes 10 steps of climb (step 160), and the median of 7 shows it 3 steps later.
    expect(degraded[0]).toBe(163);
    expect(degraded).not.toContain(120);
  });

  it("read a constant zero as no band at all (DeepSpeed's placeholder grad norm)", () => {
    const norm = new StreamStatistics(defaults.policy("grad_norm", false), defaults.settings);
    for (let step = 0; step < 50; step++) expect(norm.observe(0).outlier).toBe(0);
  });

  it("call a throughput drop on its level against the best, higher being better", () => {
    const throughput = new StreamStatistics(defaults.policy("throughput", true), defaults.settings);
    const degraded: number[] = [];
    for (let step = 0; step < 40; step++)
      if (throughput.observe(step < 20 ? 1000 : step === 5 ? 400 : 600).degraded)
        degraded.push(step);
    // 600 is 40% below 1000; the median of 5 turns at the third slow step.
    expect(degraded[0]).toBe(22);
  });

  it("see an overflow when 3 of the last 100 iterations were skipped, not a lone skip", () => {
    const window = new OverflowWindow(100, 3);
    expect(window.observe(1000, 1)).toBe(false);
    expect(window.observe(2100, 1)).toBe(false);
    expect(window.observe(2150, 1)).toBe(false);
    expect(window.observe(2190, 1)).toBe(true);
    expect(window.observe(5000, 10)).toBe(true);
    expect(window.observe(6000, 0)).toBe(false);
  });
});
