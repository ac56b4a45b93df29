import { describe, expect, it } from "vitest";
import { NEUTRAL_PRIOR } from "../../../webhook-receiver/evidence/priors.js";
import type { Prior } from "../../../webhook-receiver/evidence/priors.js";
import {
  DEFAULT_SCORING,
  decideVerdict,
  scoreObservation,
} from "../../../webhook-receiver/evidence/scoring.js";
import type { Observation, ScoringWindow } from "../../../webhook-receiver/evidence/scoring.js";
import type { Sample } from "../../../webhook-receiver/evidence/series.js";
import type { LocalityMatch } from "../../../webhook-receiver/evidence/topology.js";

/**
 * Scoring, by its definition: score = strength × precedence × locality × prior (capped at
 * 1), strength from the robust z-score against the candidate's own baseline, and a verdict
 * that is the best layer when it reaches min_score, else unknown.
 */
const S = 1000;
// One sample every 10 s from t=0 to t=600 s; the alert's anomaly begins at 500 s; the
// baseline is what happened before 400 s (horizon 100 s).
const WINDOW: ScoringWindow = {
  startMs: 0,
  baselineEndMs: 400 * S,
  onsetMs: 500 * S,
  endMs: 600 * S,
};
const SETTINGS = { ...DEFAULT_SCORING, toleranceMs: 20 * S };

function series(value: (t: number) => number): Sample[] {
  const out: Sample[] = [];
  for (let t = 0; t <= 600; t += 10) out.push({ t: t * S, v: value(t) });
  return out;
}

/** Noisy around 1 (0.9 / 1.1 alternating), stepping to `to` at `at` seconds. */
function step(at: number, to: number): Sample[] {
  return series((t) => (t >= at ? to : 1) + ((t / 10) % 2 === 0 ? -0.1 : 0.1));
}

function observation(overrides: Partial<Observation> & { values: Sample[] }): Observation {
  return {
    monitor: "feature-drift",
    layer: "data",
    labels: { model: "m", feature: "age" },
    locality: { locality: "workload", kind: "model", label: "model", value: "m" },
    valueKind: "gauge",
    prior: NEUTRAL_PRIOR,
    ...overrides,
  };
}

describe("scoreObservation", () => {
  it("a large change before the alert, on the same workload: full strength and precedence", () => {
    const e = scoreObservation(observation({ values: step(450, 5) }), WINDOW, SETTINGS);
    // Baseline: median 0.9 or 1.1 (alternating), MAD 0.1 → scale 0.148; the peak is 5.1.
    expect(e.baseline?.median).toBeCloseTo(1, 0);
    expect(Math.abs(e.peak?.z ?? 0)).toBeGreaterThan(20);
    expect(e.strength).toBe(1);
    expect(e.startedAt).toBe(450 * S);
    expect(e.leadMs).toBe(50 * S);
    expect(e.precedence).toBe(1);
    expect(e.localityWeight).toBe(0.7);
    expect(e.score).toBeCloseTo(0.7, 10);
    expect(e.explanation).toBe(
      "score 0.7 = strength 1 (z " +
        String(Number((e.peak?.z ?? 0).toPrecision(3))) +
        ") × precedence 1 (50s before the alert) × locality 0.7 (same model m) × prior 1",
    );
  });

  it("strength grows linearly from z_min to z_full", () => {
    // A flat baseline of 1 (scale floored at 5% of it: 0.05): a step to 1.25 is z = 5.
    const flat = (to: number) => series((t) => (t >= 450 ? to : 1));
    const at = (to: number) =>
      scoreObservation(observation({ values: flat(to) }), WINDOW, SETTINGS);
    expect(at(1.1).strength).toBe(0); // z 2 < z_min 3
    expect(at(1.25).peak?.z).toBeCloseTo(5, 10);
    expect(at(1.25).strength).toBeCloseTo((5 - 3) / (8 - 3), 10);
    expect(at(2).strength).toBe(1); // z 20 ≥ z_full 8
  });

  it("noise that never leaves the baseline's range is no evidence", () => {
    const e = scoreObservation(observation({ values: step(10_000, 0) }), WINDOW, SETTINGS);
    expect(e.strength).toBe(0);
    expect(e.score).toBe(0);
    expect(e.startedAt).toBeUndefined();
  });

  it("a two-valued signal (MAD 0) is scaled by its mean absolute deviation, not by the floor", () => {
    // 0.04 more often than 0.06: the MAD is 0, yet 0.06 is an ordinary value.
    const values = series((t) => (t % 30 === 0 ? 0.06 : 0.04));
    const e = scoreObservation(observation({ values }), WINDOW, SETTINGS);
    expect(e.strength).toBe(0);
  });

  it("a change that started after the alert is weighed down as a likely consequence", () => {
    const e = scoreObservation(observation({ values: step(560, 5) }), WINDOW, SETTINGS);
    expect(e.leadMs).toBe(-60 * S);
    expect(e.precedence).toBe(SETTINGS.afterAlertWeight);
    expect(e.score).toBeCloseTo(0.7 * 0.4, 10);
    expect(e.explanation).toContain("(1m after the alert)");
  });

  it("within the tolerance after the onset still counts as before", () => {
    const e = scoreObservation(observation({ values: step(510, 5) }), WINDOW, SETTINGS);
    expect(e.leadMs).toBe(-10 * S);
    expect(e.precedence).toBe(1);
  });

  it("dates the change at the first sample reaching half its peak, not at a noisy blip", () => {
    // A blip at z≈4 at 420 s, then the real change at 470 s (z≈30).
    const values = series(
      (t) => (t === 420 ? 1.6 : t >= 470 ? 5 : 1) + ((t / 10) % 2 === 0 ? -0.1 : 0.1),
    );
    const e = scoreObservation(observation({ values }), WINDOW, SETTINGS);
    expect(e.startedAt).toBe(470 * S);
  });

  it("locality weighs same GPU over same node over same workload; nothing shared counts nothing", () => {
    const at = (locality: LocalityMatch) =>
      scoreObservation(observation({ values: step(450, 5), locality }), WINDOW, SETTINGS).score;
    const gpu = at({ locality: "gpu", kind: "gpu", label: "uuid", value: "GPU-1" });
    const node = at({ locality: "node", kind: "node", label: "instance", value: "n1" });
    const workload = at({ locality: "workload", kind: "run", label: "run_id", value: "r" });
    const cluster = at({ locality: "cluster" });
    // A change that shares nothing with the alert is timing alone: never a reason.
    expect([gpu, node, workload, cluster]).toEqual([1, 0.85, 0.7, 0]);
    const generous = { ...SETTINGS, locality: { ...SETTINGS.locality, cluster: 0.35 } };
    expect(
      scoreObservation(
        observation({ values: step(450, 5), locality: { locality: "cluster" } }),
        WINDOW,
        generous,
      ).score,
    ).toBe(0);
  });

  it("a prior multiplies (XID 79 lifts weak node evidence) and the score is capped at 1", () => {
    const prior: Prior = { weight: 3, reason: "XID 79: GPU has fallen off the bus" };
    const events = series((t) => (t === 450 ? 1 : 0));
    const e = scoreObservation(
      observation({
        monitor: "gpu-xid-errors",
        layer: "environment",
        valueKind: "counter",
        values: events,
        prior,
        locality: { locality: "node", kind: "node", label: "instance", value: "n1" },
      }),
      WINDOW,
      SETTINGS,
    );
    // An event against a quiet baseline: z = 1 / 0.1 (the event floor) = 10.
    expect(e.peak?.z).toBeCloseTo(10, 10);
    expect(e.strength).toBe(1);
    expect(e.score).toBe(1); // 1 × 1 × 0.85 × 3, capped
    expect(e.explanation).toContain("prior 3 (XID 79: GPU has fallen off the bus)");
  });

  it("a firing alert of the candidate counts even when its signal has no baseline", () => {
    const e = scoreObservation(observation({ values: [], firingSince: 480 * S }), WINDOW, SETTINGS);
    expect(e.strength).toBe(SETTINGS.firingStrength);
    expect(e.leadMs).toBe(20 * S);
    expect(e.score).toBeCloseTo(0.75 * 0.7, 10);
    expect(e.explanation).toContain("its alert is firing");
  });

  it("a NaN in the candidate is an extreme deviation", () => {
    const values = series((t) => (t === 460 ? NaN : 1));
    const e = scoreObservation(observation({ values }), WINDOW, SETTINGS);
    expect(e.strength).toBe(1);
    expect(e.startedAt).toBe(460 * S);
  });
});

describe("decideVerdict", () => {
  const data = observation({ values: step(450, 5) });
  const model = observation({
    monitor: "learning-rate-changed",
    layer: "model",
    labels: { run_id: "r" },
    locality: { locality: "workload", kind: "run", label: "run_id", value: "r" },
    values: step(470, 5),
  });
  const quietEnv = observation({
    monitor: "gpu-xid-errors",
    layer: "environment",
    valueKind: "counter",
    values: series(() => 0),
    locality: { locality: "node", kind: "node", label: "instance", value: "n1" },
  });

  it("names the layer of the strongest evidence, with a confidence and the evidence first", () => {
    const v = decideVerdict([quietEnv, data], WINDOW, SETTINGS);
    expect(v.layer).toBe("data");
    expect(v.layerScores).toEqual({ data: 0.7, model: 0, environment: 0 });
    expect(v.confidence).toBe(0.7); // 0.7 × 0.7 / 0.7
    expect(v.evidence.map((e) => e.observation.monitor)).toEqual([
      "feature-drift",
      "gpu-xid-errors",
    ]);
  });

  it("competing layers lower the confidence: the best score times its share", () => {
    // The learning rate changed after the alert: 1 × 0.4 × 0.7 = 0.28.
    const v = decideVerdict([data, { ...model, values: step(560, 5) }], WINDOW, SETTINGS);
    expect(v.layer).toBe("data");
    expect(v.layerScores.model).toBeCloseTo(0.28, 3);
    expect(v.confidence).toBeCloseTo((0.7 * 0.7) / (0.7 + 0.28), 3);
  });

  it("is unknown when nothing related changed", () => {
    const v = decideVerdict([quietEnv, observation({ values: step(10_000, 0) })], WINDOW, SETTINGS);
    expect(v.layer).toBe("unknown");
    expect(v.confidence).toBe(0);
  });

  it("is unknown when the best evidence is below min_score", () => {
    // A change on the same workload, after the alert: 1 × 0.4 × 0.7 = 0.28.
    const weak = observation({ values: step(560, 5) });
    const v = decideVerdict([weak], WINDOW, SETTINGS);
    expect(v.evidence[0]?.score).toBeCloseTo(0.28, 10);
    expect(v.layer).toBe("unknown");
  });

  it("several independent hints in one layer add up (noisy-OR); many series of one monitor do not", () => {
    const weak = { ...data, values: step(560, 5) }; // after the alert: 0.28
    const sameMonitorTwice = decideVerdict(
      [weak, { ...weak, labels: { feature: "b" } }],
      WINDOW,
      SETTINGS,
    );
    expect(sameMonitorTwice.layerScores.data).toBeCloseTo(0.28, 3);
    expect(sameMonitorTwice.layer).toBe("unknown");
    const twoMonitors = decideVerdict(
      [weak, { ...weak, monitor: "data-null-rate-high" }],
      WINDOW,
      SETTINGS,
    );
    expect(twoMonitors.layerScores.data).toBeCloseTo(1 - 0.72 * 0.72, 3);
    expect(twoMonitors.layer).toBe("data");
  });

  it("an alert whose own signal is a known hardware cause names its own layer, with its prior", () => {
    const xid79 = {
      monitor: "gpu-xid-errors",
      layer: "environment" as const,
      labels: { gpu: "0", uuid: "GPU-0" },
      prior: { weight: 3, reason: "XID 79: GPU has fallen off the bus" },
    };
    // Nothing related: without its own signal the verdict would be unknown.
    expect(decideVerdict([quietEnv], WINDOW, SETTINGS).layer).toBe("unknown");
    const v = decideVerdict([quietEnv], WINDOW, SETTINGS, xid79);
    expect(v.layer).toBe("environment");
    expect(v.layerScores).toEqual({ data: 0, model: 0, environment: 1 });
    expect(v.confidence).toBe(1);
    expect(v.ownCause).toMatchObject({ ...xid79, score: 1 }); // 0.75 × 3, capped
    expect(v.ownCause?.explanation).toBe(
      "score 1 = strength 0.75 (the alert itself is firing) × precedence 1 (the alert's own onset) × locality 1 (its own signal) × prior 3 (XID 79: GPU has fallen off the bus)",
    );
    // No other evidence is invented: the list is what was observed.
    expect(v.evidence.map((e) => e.observation.monitor)).toEqual(["gpu-xid-errors"]);
    expect(v.evidence[0]?.score).toBe(0);
    // A prior that does not make a signal a likelier cause (XID 13, 0.8) adds nothing.
    const xid13 = { ...xid79, prior: { weight: 0.8, reason: "XID 13" } };
    const weak = decideVerdict([quietEnv], WINDOW, SETTINGS, xid13);
    expect(weak.layer).toBe("unknown");
    expect(weak.ownCause).toBeUndefined();
  });

  it("is deterministic: the same observations in any order give the same verdict and order", () => {
    const all = [data, model, quietEnv];
    const a = decideVerdict(all, WINDOW, SETTINGS);
    const b = decideVerdict([...all].reverse(), WINDOW, SETTINGS);
    expect(b).toEqual(a);
    // Equal scores are ordered by strength, then layer (data, model, environment), then name.
    expect(a.evidence.map((e) => e.observation.layer)).toEqual(["data", "model", "environment"]);
    expect(a.layer).toBe("data");
  });
});
