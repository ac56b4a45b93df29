import { describe, expect, it } from "vitest";
import type { DriftMethod } from "../../../exporters/drift/evaluate/drift-methods.js";
import { seededRandom } from "../../support/seeded-random.js";
import { monitorFor, normalSample, profileOf, records } from "./drift-helpers.js";

const NUMERIC_METHODS: DriftMethod[] = ["psi", "ks", "wasserstein", "jensenshannon"];

function numericScores(reference: number[], window: number[]) {
  const { monitor } = monitorFor(profileOf({ x: reference }), {
    methods: NUMERIC_METHODS,
    window: { records: window.length },
    min_samples: 10,
  });
  monitor.ingest(records("x", window), 0);
  const [feature] = monitor.evaluate(0);
  const scores = new Map((feature?.scores ?? []).map((s) => [s.method, s]));
  return (method: DriftMethod) => {
    const score = scores.get(method);
    if (!score) throw new Error(`no ${method} score`);
    return score;
  };
}

describe("drift scores as properties", () => {
  const random = seededRandom(42);
  const reference = normalSample(random, 5000);
  const sameDistribution = normalSample(random, 5000);

  it("are exactly zero for the reference itself", () => {
    const score = numericScores(reference, reference);
    for (const method of NUMERIC_METHODS) expect(score(method).score).toBeCloseTo(0, 12);
  });

  it("stay finite when a non-finite value reaches the monitor: it is a type mismatch, not a sample", () => {
    const { monitor, registry } = monitorFor(profileOf({ x: reference }), {
      methods: NUMERIC_METHODS,
      window: { records: 1000 },
      min_samples: 10,
    });
    monitor.ingest(records("x", [...reference.slice(0, 998), Infinity, -Infinity]), 0);
    const [feature] = monitor.evaluate(0);
    expect(feature?.windowSamples).toBe(998);
    expect(feature?.scores).toHaveLength(NUMERIC_METHODS.length);
    for (const score of feature?.scores ?? []) expect(Number.isFinite(score.score)).toBe(true);
    expect(registry.renderText()).toContain(
      'aiwatch_data_schema_violations_total{model="m",feature="x",kind="type_mismatch"} 2',
    );
  });

  it("stay near zero, and below their thresholds, for another sample of the same distribution", () => {
    const score = numericScores(reference, sameDistribution);
    expect(score("psi").score).toBeLessThan(0.02);
    expect(score("ks").score).toBeLessThan(0.03);
    expect(score("ks").pValue).toBeGreaterThan(0.05);
    expect(score("wasserstein").score).toBeLessThan(0.05);
    expect(score("jensenshannon").score).toBeLessThan(0.05);
    for (const method of NUMERIC_METHODS) expect(score(method).detected).toBe(false);
  });

  it("grow monotonically as the window shifts away, for every method", () => {
    const shifts = Array.from({ length: 21 }, (_, i) => i * 0.1);
    const series = new Map<DriftMethod, number[]>();
    const pValues: number[] = [];
    for (const shift of shifts) {
      const score = numericScores(
        reference,
        sameDistribution.map((v) => v + shift),
      );
      for (const method of NUMERIC_METHODS)
        series.set(method, [...(series.get(method) ?? []), score(method).score]);
      pValues.push(score("ks").pValue ?? NaN);
    }
    for (const [method, values] of series) {
      for (let i = 1; i < values.length; i++)
        expect(values[i], `${method} at shift ${shifts[i]}`).toBeGreaterThan(values[i - 1] ?? 0);
    }
    for (let i = 1; i < pValues.length; i++)
      expect(pValues[i]).toBeLessThanOrEqual(pValues[i - 1] ?? 1);
    // A shift of one standard deviation is drift by every method's default threshold.
    const atOneSd = numericScores(
      reference,
      sameDistribution.map((v) => v + 1),
    );
    for (const method of NUMERIC_METHODS) expect(atOneSd(method).detected).toBe(true);
    // And the normed Wasserstein of a pure shift is the shift in standard deviations.
    expect(atOneSd("wasserstein").score).toBeCloseTo(1, 1);
  });

  it("grow monotonically as a categorical mix moves, for every categorical method", () => {
    const categories = ["a", "b", "c", "d"];
    const draw = (weights: number[], n: number, seed: number) => {
      const rnd = seededRandom(seed);
      const totalWeight = weights.reduce((a, b) => a + b, 0);
      return Array.from({ length: n }, () => {
        let u = rnd() * totalWeight;
        for (let k = 0; k < weights.length; k++) {
          u -= weights[k] ?? 0;
          if (u <= 0) return categories[k];
        }
        return categories[categories.length - 1];
      });
    };
    const referenceColumn = draw([0.4, 0.3, 0.2, 0.1], 4000, 1);
    const methods: DriftMethod[] = ["psi", "jensenshannon", "chisquare"];
    const previous = new Map<DriftMethod, number>();
    for (let step = 0; step <= 10; step++) {
      const t = step / 10;
      // Mass moves from "a" to "d" as t goes from 0 to 1.
      const window = draw([0.4 - 0.3 * t, 0.3, 0.2, 0.1 + 0.3 * t], 4000, 2);
      const { monitor } = monitorFor(profileOf({ c: referenceColumn }), {
        methods,
        window: { records: 4000 },
      });
      monitor.ingest(records("c", window), 0);
      const scores = monitor.evaluate(0)[0]?.scores ?? [];
      for (const s of scores) {
        if (step === 0) expect(s.detected, `${s.method} at no shift`).toBe(false);
        if (step >= 6) expect(s.detected, `${s.method} at t=${t}`).toBe(true);
        const before = previous.get(s.method);
        if (before !== undefined) expect(s.score, `${s.method} at t=${t}`).toBeGreaterThan(before);
        previous.set(s.method, s.score);
      }
    }
  });
});
