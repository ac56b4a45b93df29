/**
 * What the demo breaks, when, and what it expects to read about it. Times are seconds
 * after the workloads start; the zscore baselines need ~45s of normal data first.
 */
export type IncidentAction =
  | { readonly kind: "drift"; readonly feature: string }
  | { readonly kind: "drift-ends" }
  | { readonly kind: "loss-spike"; readonly run: string }
  | { readonly kind: "nan-loss"; readonly run: string }
  | { readonly kind: "stall"; readonly run: string }
  | { readonly kind: "xid"; readonly code: number }
  | { readonly kind: "latency"; readonly milliseconds: number };

export interface Incident {
  readonly title: string;
  readonly steps: readonly { readonly atSeconds: number; readonly action: IncidentAction }[];
  /**
   * The message that proves the incident was caught: the alert (and run), the alert's own
   * layer, and, where the demo injected a cause first, the layer the root-cause verdict
   * must name ("Probable cause: data").
   */
  readonly expect: {
    readonly alertname: string;
    readonly layer: string;
    readonly run?: string;
    readonly cause?: string;
  };
}

export const INCIDENTS: readonly Incident[] = [
  {
    title: "data drift, then a loss spike on run r-data",
    steps: [
      { atSeconds: 50, action: { kind: "drift", feature: "median_income" } },
      { atSeconds: 62, action: { kind: "loss-spike", run: "r-data" } },
    ],
    expect: { alertname: "TrainingLossSpike", layer: "model", run: "r-data", cause: "data" },
  },
  {
    title: "a NaN loss on run r-nan",
    steps: [{ atSeconds: 80, action: { kind: "nan-loss", run: "r-nan" } }],
    expect: { alertname: "TrainingLossNotFinite", layer: "model", run: "r-nan" },
  },
  {
    title: "run r-stall stops making progress",
    steps: [{ atSeconds: 90, action: { kind: "stall", run: "r-stall" } }],
    expect: { alertname: "TrainingStalled", layer: "environment", run: "r-stall" },
  },
  {
    title: "GPU XID 79, then a loss spike on run r-gpu",
    steps: [
      { atSeconds: 100, action: { kind: "drift-ends" } },
      { atSeconds: 110, action: { kind: "xid", code: 79 } },
      { atSeconds: 118, action: { kind: "loss-spike", run: "r-gpu" } },
    ],
    expect: { alertname: "TrainingLossSpike", layer: "model", run: "r-gpu", cause: "environment" },
  },
  {
    title: "inference latency regression on model ranker",
    steps: [{ atSeconds: 140, action: { kind: "latency", milliseconds: 450 } }],
    expect: { alertname: "InferenceLatencyP99High", layer: "model" },
  },
];

export const TRAINING_RUNS = ["r-data", "r-nan", "r-stall", "r-gpu"] as const;

export function describeAction(action: IncidentAction): string {
  switch (action.kind) {
    case "drift":
      return `shift feature ${action.feature} of model housing`;
    case "drift-ends":
      return "the data stream returns to normal";
    case "loss-spike":
      return `loss spike on run ${action.run}`;
    case "nan-loss":
      return `NaN loss on run ${action.run}`;
    case "stall":
      return `run ${action.run} stops stepping`;
    case "xid":
      return `XID ${action.code} on GPU 0`;
    case "latency":
      return `model ranker slows to ${action.milliseconds} ms`;
  }
}
