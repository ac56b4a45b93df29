import type { DriftProfile } from "../profile/drift-profile.js";
import type { DriftMethod } from "./drift-methods.js";
import { METHODS, defaultMethod, methodApplies } from "./drift-methods.js";
import type { MethodPlan, MonitoredFeature } from "./monitored-feature.js";
import { monitorFeature } from "./monitored-feature.js";

/** The parts of a model's config that decide what is monitored and how. */
export interface ModelPlanSettings {
  readonly features?: Readonly<
    Record<
      string,
      {
        readonly type?: string;
        readonly methods?: readonly DriftMethod[];
        readonly thresholds?: Partial<Record<DriftMethod, number>>;
        readonly range?: readonly [number, number];
      } | null
    >
  >;
  readonly max_features: number;
  readonly methods?: readonly DriftMethod[];
  readonly thresholds: Partial<Record<DriftMethod, number>>;
  readonly window: { readonly records?: number };
}

export interface PlanProblem {
  /** Path inside the model's config section. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface ModelPlan {
  readonly features: readonly MonitoredFeature[];
  /** Bins per window pane, all features together. */
  readonly paneSize: number;
}

/**
 * Decides, from a profile and a model's config, which features are monitored, with which
 * methods and thresholds, and where each lives in a window pane.
 */
export function planModel(
  profile: DriftProfile,
  settings: ModelPlanSettings,
): { readonly plan: ModelPlan; readonly problems: readonly PlanProblem[] } {
  const problems: PlanProblem[] = [];
  const byName = new Map(profile.features.map((f) => [f.name, f]));
  const selected = settings.features
    ? Object.keys(settings.features)
    : profile.features.map((f) => f.name);
  if (selected.length > settings.max_features)
    problems.push({
      path: ["max_features"],
      message: `${selected.length} features to monitor, more than max_features ${settings.max_features}: list the ones to monitor under features, or raise max_features`,
    });
  const features: MonitoredFeature[] = [];
  let offset = 0;
  for (const name of selected.slice(0, settings.max_features)) {
    const profileFeature = byName.get(name);
    const override = settings.features?.[name] ?? undefined;
    if (!profileFeature) {
      problems.push({
        path: ["features", name],
        message: `feature "${name}" is not in the reference profile (it has: ${[...byName.keys()].join(", ") || "no features"})`,
      });
      continue;
    }
    if (override?.type !== undefined && override.type !== profileFeature.type) {
      problems.push({
        path: ["features", name, "type"],
        message: `type ${override.type} does not match the profile, where "${name}" is ${profileFeature.type}`,
      });
      continue;
    }
    for (const method of override?.methods ?? []) {
      if (!methodApplies(method, profileFeature.type))
        problems.push({
          path: ["features", name, "methods"],
          message: `method ${method} does not apply to ${profileFeature.type} feature "${name}" (it applies to ${METHODS[method].types.join(", ")})`,
        });
    }
    const candidates = (override?.methods ?? settings.methods ?? []).filter((m) =>
      methodApplies(m, profileFeature.type),
    );
    const methods: DriftMethod[] =
      candidates.length > 0
        ? [...new Set(candidates)]
        : [defaultMethod(profileFeature.type, profileFeature.count, settings.window.records)];
    const plans: MethodPlan[] = methods.map((method) => ({
      method,
      threshold:
        override?.thresholds?.[method] ??
        settings.thresholds[method] ??
        METHODS[method].defaultThreshold,
    }));
    const feature = monitorFeature(profileFeature, offset, plans, override?.range);
    features.push(feature);
    offset += feature.size;
  }
  return { plan: { features, paneSize: offset }, problems };
}
