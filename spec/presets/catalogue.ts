import { gpuNames } from "./gpu-metrics.js";
import type { Preset } from "./preset.js";
import { GPU_EVIDENCE, RUN, TRAINING_PRESETS } from "./training-presets.js";

/**
 * The monitors most AI workloads need, on aiwatch's metric names (and dcgm-exporter's for
 * GPUs). A spec uses one with `preset: NAME` and overrides any field; see docs/rulegen.md "Presets".
 */
export const PRESETS: readonly Preset[] = [
  // ---- training runs (training-presets.ts) -------------------------------------------
  ...TRAINING_PRESETS,
  {
    name: "eval-metric-regression",
    what: "an evaluation metric (higher is better) falls well below its 6h median",
    related: ["feature-drift", "training-loss-diverging", "learning-rate-changed"],
    gpu: false,
    fields: () => ({
      layer: "model",
      signal: 'aiwatch_training_eval_metric{metric="accuracy"}',
      by: [...RUN, "metric"],
      detector: { type: "robust", window: "6h", threshold: 4, direction: "down" },
      for: "10m",
      severity: "warning",
    }),
  },
  {
    name: "learning-rate-changed",
    what: "the learning rate jumps away from its 30m baseline (a scheduler step or a restart)",
    related: [],
    gpu: false,
    fields: () => ({
      layer: "model",
      signal: "aiwatch_training_learning_rate",
      by: RUN,
      // Learning rates live around 1e-5..1e-3: the default absolute floor (0.001, in the
      // signal's units) would hide every change; the relative floor alone scales with them.
      detector: {
        type: "zscore",
        window: "30m",
        threshold: 6,
        min_relative_stddev: 0.05,
        min_stddev: 0,
      },
      for: "1m",
      severity: "info",
    }),
  },
  // ---- data ---------------------------------------------------------------------------
  {
    name: "data-stream-stopped",
    what: "no rows arrived for 15m while the drift exporter still reports the model",
    related: [],
    gpu: false,
    fields: () => ({
      layer: "data",
      signal: "aiwatch_data_rows_total",
      by: ["model"],
      detector: { type: "stall", window: "15m" },
      severity: "critical",
    }),
  },
  {
    name: "feature-drift",
    what: "a feature's PSI against the reference exceeds 0.2 for 10m",
    related: ["data-null-rate-rise", "data-schema-violations"],
    gpu: false,
    fields: () => ({
      layer: "data",
      signal: 'aiwatch_data_drift_score{method="psi"}',
      by: ["model", "feature"],
      aggregation: "max",
      detector: { type: "threshold", above: 0.2 },
      for: "10m",
      keep_firing_for: "15m",
    }),
  },
  {
    name: "feature-drift-js",
    what: "a feature's Jensen-Shannon distance to the reference exceeds 0.1 for 10m",
    related: ["data-null-rate-rise", "data-schema-violations"],
    gpu: false,
    fields: () => ({
      layer: "data",
      signal: 'aiwatch_data_drift_score{method="jensenshannon"}',
      by: ["model", "feature"],
      aggregation: "max",
      detector: { type: "threshold", above: 0.1 },
      for: "10m",
      keep_firing_for: "15m",
    }),
  },
  {
    name: "data-null-rate-rise",
    what: "a feature's share of nulls per row rises above its 6h median band",
    related: ["data-schema-violations"],
    gpu: false,
    fields: () => ({
      layer: "data",
      signal:
        "sum by (model, feature) (rate(aiwatch_data_null_values_total[10m])) / on(model) group_left sum by (model) (rate(aiwatch_data_rows_total[10m]))",
      by: ["model", "feature"],
      unit: "ratio",
      detector: { type: "robust", window: "6h", threshold: 5, direction: "up", min_margin: 0.01 },
      for: "10m",
    }),
  },
  {
    name: "data-schema-violations",
    what: "records broke the reference schema (missing or unexpected columns, wrong types)",
    related: [],
    gpu: false,
    fields: () => ({
      layer: "data",
      signal: "aiwatch_data_schema_violations_total",
      by: ["model", "feature", "kind"],
      detector: { type: "increase", window: "10m" },
    }),
  },
  // ---- inference ----------------------------------------------------------------------
  {
    name: "inference-latency-slo",
    what: "99% of requests within 500ms over 30 days: multi-window burn-rate alerts",
    related: ["inference-error-rate-slo", ...GPU_EVIDENCE, "gpu-throttling"],
    gpu: false,
    fields: () => ({
      layer: "model",
      signal: "aiwatch_inference_request_duration_seconds_bucket",
      by: ["model"],
      detector: { type: "sloBurnRate", objective: 0.99, latency_threshold: 0.5 },
    }),
  },
  {
    name: "inference-error-rate-slo",
    what: "99.9% of requests succeed over 30 days: multi-window burn-rate alerts",
    related: ["inference-latency-slo", ...GPU_EVIDENCE, "feature-drift"],
    gpu: false,
    fields: () => ({
      layer: "model",
      signal: "aiwatch_inference_request_failures_total",
      by: ["model"],
      detector: {
        type: "sloBurnRate",
        objective: 0.999,
        total: "aiwatch_inference_requests_total",
      },
    }),
  },
  {
    name: "prediction-accuracy-drop",
    what: "accuracy on labelled predictions below 90% over 1h (at least 100 labels)",
    related: ["feature-drift", "feature-drift-js", "data-null-rate-rise", "data-schema-violations"],
    gpu: false,
    fields: () => ({
      layer: "model",
      signal: "aiwatch_inference_predictions_correct_total",
      by: ["model"],
      detector: {
        type: "ratio",
        total: "aiwatch_inference_predictions_labelled_total",
        window: "1h",
        below: 0.9,
        min_events: 100,
      },
    }),
  },
  // ---- GPUs ---------------------------------------------------------------------------
  {
    name: "gpu-xid-errors",
    what: "the driver reported an XID error on a GPU",
    related: [],
    gpu: true,
    fields: ({ source, hostnameLabel }) => {
      const names = gpuNames(source, hostnameLabel);
      return {
        layer: "environment",
        signal: names.xid.selector,
        by: names.gpuLabels,
        detector: { type: "increase", window: "15m", mode: names.xid.mode },
        severity: "critical",
      };
    },
  },
  {
    name: "gpu-ecc-uncorrectable",
    what: "uncorrectable (double-bit) ECC errors since the driver loaded",
    related: ["gpu-row-remap-failure"],
    gpu: true,
    fields: ({ source, hostnameLabel }) => {
      const names = gpuNames(source, hostnameLabel);
      return {
        layer: "environment",
        signal: names.eccUncorrectable,
        by: names.gpuLabels,
        detector: { type: "increase", window: "1h" },
        severity: "critical",
      };
    },
  },
  {
    name: "gpu-row-remap-failure",
    what: "a GPU failed to remap a bad memory row: it needs service",
    related: ["gpu-ecc-uncorrectable"],
    gpu: true,
    fields: ({ source, hostnameLabel }) => {
      const names = gpuNames(source, hostnameLabel);
      return {
        layer: "environment",
        signal: names.rowRemapFailure,
        by: names.gpuLabels,
        aggregation: "max",
        detector: { type: "threshold", above: 0 },
        for: "0s",
        severity: "critical",
      };
    },
  },
  {
    name: "gpu-throttling",
    what: "thermal or hardware power-brake slowdown holds a GPU's clocks down for 10m",
    related: [],
    gpu: true,
    fields: ({ source, hostnameLabel }) => {
      const names = gpuNames(source, hostnameLabel);
      return {
        layer: "environment",
        signal: names.throttling(names.gpuLabels),
        by: names.gpuLabels,
        aggregation: "max",
        detector: { type: "threshold", above: 0 },
        for: "10m",
      };
    },
  },
  {
    name: "gpu-memory-exhaustion-forecast",
    what: "the last hour's trend fills a GPU's memory within 4h",
    related: [],
    gpu: true,
    fields: ({ source, hostnameLabel }) => {
      const names = gpuNames(source, hostnameLabel);
      return {
        layer: "environment",
        signal: names.memoryExhaustion.signal,
        by: names.gpuLabels,
        aggregation: "max",
        ...(names.memoryExhaustion.unit ? { unit: names.memoryExhaustion.unit } : {}),
        ...names.memoryExhaustion.annotations,
        detector: {
          type: "forecast",
          window: "1h",
          horizon: "4h",
          ...names.memoryExhaustion.limit,
        },
        for: "10m",
      };
    },
  },
  {
    name: "gpu-idle-while-job-runs",
    what: "a GPU that holds over 1 GiB of memory (a job owns it) computes under 5% for 30m",
    related: ["training-stalled", "data-stream-stopped"],
    gpu: true,
    fields: ({ source, hostnameLabel }) => {
      const names = gpuNames(source, hostnameLabel);
      return {
        layer: "environment",
        signal: names.utilisationWhileAllocated(names.gpuLabels),
        by: names.gpuLabels,
        aggregation: "max",
        unit: "ratio",
        detector: { type: "threshold", below: 0.05 },
        for: "30m",
        severity: "info",
      };
    },
  },
];

export const PRESET_NAMES = PRESETS.map((p) => p.name);

export function presetNamed(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
