import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSpecContext } from "../../../webhook-receiver/config/compile-spec-context.js";
import type { AnalysisConfig } from "../../../webhook-receiver/evidence/analysis-config.js";
import { ConcurrencyLimit } from "../../../webhook-receiver/evidence/concurrency-limit.js";
import { gatherEvidence } from "../../../webhook-receiver/evidence/gather-evidence.js";
import type { PrometheusApi } from "../../../webhook-receiver/evidence/prometheus-api.js";
import { DEFAULT_PRIORS } from "../../../webhook-receiver/evidence/priors.js";
import { signalSummary } from "../../../webhook-receiver/evidence/render-analysis.js";
import { DEFAULT_SCORING } from "../../../webhook-receiver/evidence/scoring.js";
import type { Series } from "../../../webhook-receiver/evidence/series.js";
import { signalQuery } from "../../../webhook-receiver/evidence/signal-queries.js";
import { DEFAULT_TOPOLOGY } from "../../../webhook-receiver/evidence/topology.js";
import {
  asViewed,
  joinedViewQuery,
  viewLineIndex,
} from "../../../webhook-receiver/evidence/view-signal.js";

/**
 * A ratio or SLO burn-rate alert compares a ratio of counters' increases, not its counter:
 * its message shows that ratio (or burn rate), never the counter's lifetime count as a
 * level ("avg by (model) (aiwatch_inference_request_failures_total)": 1.2e+6 → 1.21e+6).
 */
const EXAMPLE = join(import.meta.dirname, "../../../examples/aiwatch.yaml");
const built = compileSpecContext([
  { file: "aiwatch.yaml", displayName: "aiwatch.yaml", text: readFileSync(EXAMPLE, "utf8") },
]);
if (!built.ok) throw new Error("the example spec does not compile");
const { context, bands } = built;
const monitorOf = (name: string) => {
  const m = context.monitors.get(name);
  if (!m) throw new Error(name);
  return m;
};
const MODEL = [{ name: "model", op: "=" as const, value: "m1" }];

describe("what a ratio or burn-rate alert's signal is", () => {
  it("reads their counters as increases, never as levels, and compares their view", () => {
    for (const name of ["inference-availability-slo", "inference-latency-slo"]) {
      expect(monitorOf(name).valueKind).toBe("counter");
      expect(monitorOf(name).compared).toEqual({ from: "view", unit: undefined });
    }
    const ratio = monitorOf("prediction-accuracy-drop");
    expect(ratio.compared).toEqual({ from: "view", unit: "ratio" });
    expect(signalQuery(ratio, MODEL)).toBe(
      'aiwatch_inference_predictions_correct_total{model="m1"}',
    );
    // A latency SLO's buckets summed over every `le` count each request many times.
    expect(signalQuery(monitorOf("inference-latency-slo"), MODEL)).toBe(
      'aiwatch_inference_request_duration_seconds_bucket{le="+Inf", model="m1"}',
    );
    expect(monitorOf("feature-drift").compared).toEqual({ from: "series" });
  });

  it("picks the burn rate over the long window the alert names (rulegen's label and legend)", () => {
    const plan = bands.get("inference-availability-slo")?.(MODEL);
    if (!plan) throw new Error("no view");
    for (const window of ["1h", "6h", "1d", "3d"]) {
      const i = viewLineIndex(plan, { long_window: window }) ?? -1;
      expect(plan.lines[i]?.legend).toMatch(new RegExp(`^burn rate over ${window} `));
    }
    expect(viewLineIndex(plan, {})).toBe(0);
  });

  it("reads a related ratio or burn-rate monitor through its view where its labels join", () => {
    const slo = monitorOf("inference-availability-slo");
    const byModel = [{ kind: "model" as const, label: "model", values: new Set(["m1", "m2"]) }];
    expect(joinedViewQuery(slo, bands, byModel)).toBe(
      // A window without requests is 0/0: left out, not scored as a NaN (a full-strength change).
      '(last_over_time(model:aiwatch_inference_request_failures_total:errors_increase1h{monitor="inference-availability-slo", model=~"m1|m2"}[10m]) / last_over_time(model:aiwatch_inference_requests_total:total_increase1h{monitor="inference-availability-slo", model=~"m1|m2"}[10m]) / 0.001) > -Inf',
    );
    // Its recorded series carry only `model`: a join on a GPU falls back to its counter.
    const byGpu = [{ kind: "gpu" as const, label: "uuid", values: new Set(["GPU-1"]) }];
    expect(joinedViewQuery(slo, bands, byGpu)).toBeUndefined();
    expect(asViewed(slo)).toMatchObject({ valueKind: "gauge", unit: undefined });
    expect(joinedViewQuery(monitorOf("feature-drift"), bands, byModel)).toBeUndefined();
  });
});

describe("gathering a ratio alert's evidence", () => {
  const STEP = 15_000;
  const NOW = Date.parse("2026-11-22T04:00:00.000Z");
  const config: AnalysisConfig = {
    spec: context,
    bands,
    prometheus: { url: "http://prometheus.invalid", headers: {} },
    alertmanager: undefined,
    links: { prometheus: "http://prometheus.invalid" },
    queryTimeoutMs: 5000,
    maxConcurrency: 4,
    lookbackMs: 30 * 60_000,
    horizonMs: 5 * 60_000,
    defaultStepMs: STEP,
    cacheTtlMs: 0,
    followUpForMs: 0,
    topology: DEFAULT_TOPOLOGY,
    scoring: DEFAULT_SCORING,
    priors: DEFAULT_PRIORS,
  };
  const asked: string[] = [];
  // Prometheus as the recorded ratio reads it: 95% correct, then 85%.
  const prometheus: PrometheusApi = {
    queryRange: (expr, startMs, endMs, stepMs) => {
      asked.push(expr);
      const ratio = /numerator_increase1h/.test(expr);
      const samples = [];
      for (let t = startMs; t <= endMs; t += stepMs)
        samples.push({ t, v: ratio ? (t < NOW - 10 * 60_000 ? 0.95 : 0.85) : 1.2e6 });
      const series: Series = {
        labels: { model: "m1", monitor: "prediction-accuracy-drop" },
        samples,
      };
      return Promise.resolve([series]);
    },
    query: () => Promise.resolve([]),
  };

  it("shows the ratio over the window, in %, beside the threshold it fell below", async () => {
    const labels = {
      alertname: "PredictionAccuracyDrop",
      monitor: "prediction-accuracy-drop",
      layer: "model",
      severity: "warning",
      model: "m1",
    };
    const gathered = await gatherEvidence(
      {
        alert: {
          status: "firing",
          labels,
          annotations: {},
          startsAt: new Date(NOW - 5 * 60_000).toISOString(),
          fingerprint: "f",
        },
        monitor: monitorOf("prediction-accuracy-drop"),
        groupFingerprints: new Set(["f"]),
      },
      config,
      {
        prometheus,
        alertmanager: undefined,
        limit: new ConcurrencyLimit(4),
        onQuery: () => undefined,
      },
      NOW,
      AbortSignal.timeout(5000),
    );
    const signal = gathered.signal;
    expect(signal?.query).toMatch(/numerator_increase1h\{.*\} \/ .*total_increase1h/);
    expect(signal).toMatchObject({ valueKind: "gauge", unit: "ratio", what: "ratio over 1h" });
    expect(signal && signalSummary(signal, STEP)).toBe("ratio over 1h: 95% → 85% (max 95%)");
    // The counter itself is not read as the signal; the ratio is not drawn twice.
    expect(asked.some((q) => /^aiwatch_inference_predictions_correct_total/.test(q))).toBe(false);
    expect(gathered.band).toEqual({ lines: [], threshold: 0.9 });
  });
});
