import { memoryLogger } from "../../../core/log/logger.js";
import { driftConfigSchema } from "../../../exporters/drift/collector/drift-config.js";
import { createDriftMetrics } from "../../../exporters/drift/collector/drift-metrics.js";
import { ModelMonitor } from "../../../exporters/drift/collector/model-monitor.js";
import { buildProfile } from "../../../exporters/drift/profile/build-profile.js";
import type { DriftProfile } from "../../../exporters/drift/profile/drift-profile.js";
import { DEFAULT_PROFILE_SETTINGS } from "../../../exporters/drift/profile/drift-profile.js";
import { ExpositionRegistry } from "../../../exporters/exposition/exposition-registry.js";

export const FEATURES = ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"];

/** Deterministic pseudo-normal values (sum of uniforms from an LCG): cheap and repeatable. */
export function syntheticValues(count: number, seed: number, shift = 0): Float64Array {
  const out = new Float64Array(count);
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (let i = 0; i < count; i++) out[i] = next() + next() + next() + next() - 2 + shift;
  return out;
}

export function syntheticProfile(rows: number): DriftProfile {
  const built = buildProfile(
    FEATURES.map((name, k) => ({ name, values: Array.from(syntheticValues(rows, k + 1)) })),
    rows,
    {
      settings: DEFAULT_PROFILE_SETTINGS,
      source: "typed",
      sourceName: "synthetic",
      created: "2024-01-01T00:00:00.000Z",
    },
  );
  if (!built.ok) throw new Error("synthetic profile");
  return built.profile;
}

export function syntheticRecords(count: number, seed: number): Record<string, number>[] {
  const columns = FEATURES.map((_, k) => syntheticValues(count, seed + k, 0.1));
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(FEATURES.map((name, k) => [name, columns[k]?.[i] ?? 0])),
  );
}

export function benchMonitor(profile: DriftProfile, windowRecords: number): ModelMonitor {
  const config = driftConfigSchema.parse({
    models: [
      {
        name: "bench",
        reference: { profile: "synthetic" },
        window: { records: windowRecords, panes: 10 },
        methods: ["psi", "ks", "wasserstein"],
      },
    ],
  });
  const model = config.models[0];
  if (!model) throw new Error("no model");
  const registry = new ExpositionRegistry(
    () => 1_000_000,
    () => undefined,
  );
  const monitor = new ModelMonitor(
    model,
    createDriftMetrics(registry.scope("drift")),
    memoryLogger(),
  );
  monitor.useProfile(profile);
  return monitor;
}
