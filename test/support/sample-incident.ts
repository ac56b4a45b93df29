import type {
  ChartLine,
  EvidenceChart,
  IncidentEvidence,
  StoredValue,
} from "../../webhook-receiver/incidents/incident-evidence.js";
import type { Enrichment } from "../../webhook-receiver/pipeline/enrichment.js";

/**
 * An enrichment with captured evidence of a given size, for page tests and the page
 * benchmark: the alert's own signal with a zscore band, and `series` evidence items of
 * `points` points each (a level that steps up before the onset, with a stretch of NaN).
 */
export function sampleEnrichment(options: {
  readonly onsetMs: number;
  readonly series: number;
  readonly points: number;
  readonly stepMs?: number;
}): Enrichment {
  const step = options.stepMs ?? 15_000;
  const start = options.onsetMs - (options.points / 2) * step;
  const series = (
    name: string,
    role: ChartLine["role"],
    shift: number,
    spikeAt: number,
    nanFrom?: number,
  ): ChartLine => ({
    name,
    role,
    startMs: start,
    stepMs: step,
    values: Array.from({ length: options.points }, (_, i): StoredValue => {
      if (nanFrom !== undefined && i >= nanFrom && i < nanFrom + 5) return "NaN";
      const level = i >= spikeAt ? 3 : 1;
      return Number((shift + level + 0.1 * Math.sin(i / 3)).toPrecision(6));
    }),
  });
  const half = Math.floor(options.points / 2);
  const signal: EvidenceChart = {
    title: "TrainingLossSpike: the alert's own signal",
    monitor: "training-loss-spike",
    layer: "model",
    labels: { run_id: "r-1", job_name: "job-1" },
    unit: "",
    lines: [
      series("training-loss-spike", "signal", 0, half, half + 10),
      series("baseline mean", "band", 0, options.points),
      series("upper band", "band", 0.8, options.points),
    ],
    markers: [{ t: options.onsetMs, kind: "onset", label: "onset" }],
  };
  const charts: EvidenceChart[] = Array.from({ length: options.series }, (_, k) => ({
    title: `feature-drift feature=f${k} model=m-1`,
    monitor: "feature-drift",
    layer: "data",
    labels: { model: "m-1", feature: `f${k}` },
    unit: "ratio",
    lines: [series("feature-drift", "signal", 0, half - 8 - k)],
    threshold: { value: 2, label: "alert threshold 2" },
    band: { lower: 0.7, upper: 1.3, label: "baseline median ± 3·scale (z 3)" },
    markers: [
      { t: options.onsetMs, kind: "onset", label: "onset" },
      { t: options.onsetMs - (8 + k) * step, kind: "change", label: "change started" },
    ],
    baselineEndMs: options.onsetMs - 20 * step,
  }));
  const evidence: IncidentEvidence = {
    version: 1,
    capturedAt: options.onsetMs + 30_000,
    window: {
      startMs: start,
      baselineEndMs: options.onsetMs - 20 * step,
      onsetMs: options.onsetMs,
      endMs: start + options.points * step,
      stepMs: step,
    },
    verdict: {
      layer: "data",
      confidence: 0.72,
      minScore: 0.3,
      layerScores: { data: 0.8, model: 0.1, environment: 0 },
    },
    signal,
    charts,
    evidence: charts.map((c, k) => ({
      monitor: "feature-drift",
      layer: "data",
      labels: c.labels,
      where: "same model m-1",
      score: 0.8 - k * 0.05,
      strength: 1,
      precedence: 1,
      locality: 0.8 - k * 0.05,
      prior: 1,
      firing: k === 0,
      leadMs: (8 + k) * step,
      explanation: `score ${0.8 - k * 0.05} = strength 1 × precedence 1 × locality ${0.8 - k * 0.05} × prior 1`,
      chart: k,
    })),
    checked: ["feature-drift", "gpu-xid-errors"],
    notes: [],
  };
  return {
    headline: "Probable cause: data (confidence 0.72) — feature-drift feature=f0 model=m-1",
    details: [{ label: "Evidence 1 (data)", text: "feature-drift feature=f0: 1 → 3 (z 40)" }],
    evidence,
  };
}
