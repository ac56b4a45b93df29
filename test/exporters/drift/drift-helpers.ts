import { memoryLogger } from "../../../core/log/logger.js";
import { ExpositionRegistry } from "../../../exporters/exposition/exposition-registry.js";
import { driftConfigSchema } from "../../../exporters/drift/collector/drift-config.js";
import type { ModelConfig } from "../../../exporters/drift/collector/drift-config.js";
import { createDriftMetrics } from "../../../exporters/drift/collector/drift-metrics.js";
import { ModelMonitor } from "../../../exporters/drift/collector/model-monitor.js";
import type { FeatureRecord } from "../../../exporters/drift/collector/model-monitor.js";
import { buildProfile } from "../../../exporters/drift/profile/build-profile.js";
import type { DriftProfile, FeatureType } from "../../../exporters/drift/profile/drift-profile.js";
import { DEFAULT_PROFILE_SETTINGS } from "../../../exporters/drift/profile/drift-profile.js";

/** n draws from N(mean, sd), Box–Muller. */
export function normalSample(random: () => number, n: number, mean = 0, sd = 1): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = 1 - random();
    const v = random();
    out.push(mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

export function profileOf(
  columns: Record<string, readonly unknown[]>,
  options: { types?: Record<string, FeatureType>; bins?: number; resolution?: number } = {},
): DriftProfile {
  const names = Object.keys(columns);
  const rows = Math.max(0, ...names.map((n) => columns[n]?.length ?? 0));
  const built = buildProfile(
    names.map((name) => ({ name, values: columns[name] ?? [] })),
    rows,
    {
      settings: {
        ...DEFAULT_PROFILE_SETTINGS,
        bins: options.bins ?? DEFAULT_PROFILE_SETTINGS.bins,
        resolution: options.resolution ?? DEFAULT_PROFILE_SETTINGS.resolution,
      },
      source: "typed",
      types: options.types,
      sourceName: "test",
      created: "2024-01-01T00:00:00.000Z",
    },
  );
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  return built.profile;
}

/** A model config as the schema completes it, from the keys a test cares about. */
export function modelConfig(overrides: Record<string, unknown> = {}): ModelConfig {
  const parsed = driftConfigSchema.parse({
    models: [{ name: "m", reference: { first_records: 10 }, ...overrides }],
  });
  const model = parsed.models[0];
  if (!model) throw new Error("no model");
  return model;
}

/** A monitor wired to a real exposition registry, for scoring and rendering in tests. */
export function monitorFor(profile: DriftProfile, overrides: Record<string, unknown> = {}) {
  const dropped: string[] = [];
  const registry = new ExpositionRegistry(
    () => 100_000,
    (family) => dropped.push(family),
  );
  const metrics = createDriftMetrics(registry.scope("drift"));
  const monitor = new ModelMonitor(modelConfig(overrides), metrics, memoryLogger());
  monitor.useProfile(profile);
  return { monitor, registry, metrics, dropped };
}

export function records(column: string, values: readonly unknown[]): FeatureRecord[] {
  return values.map((value) => ({ [column]: value }));
}
