import { memoryLogger } from "../../../core/log/logger.js";
import { ExpositionRegistry } from "../../exposition/exposition-registry.js";
import type { DriftMethod } from "../evaluate/drift-methods.js";
import type { DatasetDrift, FeatureScores } from "../evaluate/score-feature.js";
import { datasetDrift } from "../evaluate/score-feature.js";
import type { DriftProfile } from "../profile/drift-profile.js";
import { driftConfigSchema } from "./drift-config.js";
import { createDriftMetrics } from "./drift-metrics.js";
import { ModelMonitor } from "./model-monitor.js";
import type { FeatureRecord } from "./model-monitor.js";

export interface CompareOptions {
  readonly methods?: readonly DriftMethod[];
  readonly thresholds?: Partial<Record<DriftMethod, number>>;
  readonly minSamples?: number;
  readonly driftShare?: number;
  readonly ignoreColumns?: readonly string[];
}

export interface Comparison {
  readonly features: readonly FeatureScores[];
  readonly dataset: DatasetDrift;
  readonly driftShare: number;
  /** The exposition the exporter would serve for this comparison (quality counters included). */
  readonly exposition: string;
}

/**
 * Scores a batch of records against a profile exactly as the exporter would score a
 * window holding them all: the same monitor, window, method rule and thresholds.
 */
export function compareRecords(
  profile: DriftProfile,
  records: readonly FeatureRecord[],
  options: CompareOptions = {},
): Comparison {
  const config = driftConfigSchema.parse({
    models: [
      {
        name: "compare",
        reference: { profile: profile.source || "profile" },
        window: { records: Math.max(1, records.length), panes: 1 },
        ...(options.methods ? { methods: options.methods } : {}),
        thresholds: options.thresholds ?? {},
        ...(options.minSamples !== undefined ? { min_samples: options.minSamples } : {}),
        ...(options.driftShare !== undefined ? { drift_share: options.driftShare } : {}),
        ignore_columns: options.ignoreColumns ?? [],
      },
    ],
  });
  const model = config.models[0];
  if (!model) throw new Error("internal: no model");
  const registry = new ExpositionRegistry(
    () => Number.MAX_SAFE_INTEGER,
    () => undefined,
  );
  const monitor = new ModelMonitor(
    model,
    createDriftMetrics(registry.scope("drift")),
    memoryLogger(),
  );
  monitor.useProfile(profile);
  monitor.ingest(records, 0);
  const features = monitor.evaluate(0);
  return {
    features,
    dataset: datasetDrift(features, model.drift_share),
    driftShare: model.drift_share,
    exposition: registry.renderText(),
  };
}
