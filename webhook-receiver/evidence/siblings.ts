import type { MonitorContext } from "../../spec/context/spec-context.js";
import { LAYERS } from "../../spec/model/monitor.js";
import type { Layer } from "../../spec/model/monitor.js";
import type { ActiveAlert } from "./alertmanager-api.js";
import type { AnalysisConfig } from "./analysis-config.js";
import type { AlertUnderAnalysis, GatherDeps } from "./gather-evidence.js";
import { markFiring, observe } from "./observations.js";
import type { EvidenceScope } from "./observations.js";
import { priorFor } from "./priors.js";
import type { Observation } from "./scoring.js";
import { labelsText } from "./series.js";
import type { Labels } from "./series.js";
import { groupMatchers } from "./signal-queries.js";
import { localityOf } from "./topology.js";
import type { Entities, LocalityMatch } from "./topology.js";

/** Another alert firing on the same GPU, node or workload. */
export interface Sibling {
  readonly alertName: string;
  readonly labels: Labels;
  readonly startsAt: number;
  readonly match: LocalityMatch;
  readonly layer: Layer | undefined;
}

export async function fetchActiveAlerts(
  deps: GatherDeps,
  signal: AbortSignal,
  notes: string[],
): Promise<ActiveAlert[]> {
  if (!deps.alertmanager) return [];
  const api = deps.alertmanager;
  const started = performance.now();
  try {
    const alerts = await deps.limit.run(() => api.activeAlerts(signal), signal);
    deps.onQuery("alertmanager", "ok", (performance.now() - started) / 1000);
    return alerts;
  } catch (error) {
    deps.onQuery("alertmanager", "error", (performance.now() - started) / 1000);
    if (!signal.aborted)
      notes.push(
        `sibling alerts unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
    return [];
  }
}

export function joinSiblings(
  alerts: readonly ActiveAlert[],
  target: AlertUnderAnalysis,
  context: Entities,
  config: AnalysisConfig,
): Sibling[] {
  const out: Sibling[] = [];
  for (const alert of alerts) {
    if (target.groupFingerprints.has(alert.fingerprint)) continue;
    const match = localityOf(alert.labels, context, config.topology);
    if (match.locality === "cluster") continue;
    const layerLabel = alert.labels["layer"];
    out.push({
      alertName: alert.labels["alertname"] ?? "(no alertname)",
      labels: alert.labels,
      startsAt: Date.parse(alert.startsAt),
      match,
      layer: LAYERS.find((l) => l === layerLabel),
    });
  }
  return out.sort(
    (a, b) =>
      a.startsAt - b.startsAt ||
      a.alertName.localeCompare(b.alertName) ||
      labelsText(a.labels).localeCompare(labelsText(b.labels)),
  );
}

/**
 * Siblings as evidence: a related monitor's alert marks its series; an aiwatch alert of
 * another monitor, or any alert with a `layer` label, is a candidate of its own. Alerts
 * of the alert's own monitor explain nothing about it.
 */
export function applySiblings(
  observations: Observation[],
  siblings: readonly Sibling[],
  own: MonitorContext | undefined,
  related: readonly MonitorContext[],
  monitors: ReadonlyMap<string, MonitorContext> | undefined,
  scope: EvidenceScope,
): void {
  for (const sibling of siblings) {
    const name = sibling.labels["monitor"];
    const monitor = name !== undefined ? monitors?.get(name) : undefined;
    if (own && monitor?.name === own.name) continue;
    if (monitor && related.includes(monitor)) {
      markFiring(observations, monitor, sibling.labels, sibling.startsAt, scope);
      continue;
    }
    if (monitor) {
      const labels = Object.fromEntries(
        groupMatchers(monitor, sibling.labels).map((m) => [m.name, m.value]),
      );
      observations.push({
        ...observe(
          monitor,
          labels,
          sibling.match,
          [],
          scope.window,
          scope.config,
          scope.xid,
          undefined,
        ),
        firingSince: sibling.startsAt,
      });
      continue;
    }
    if (!sibling.layer) continue;
    observations.push({
      monitor: sibling.alertName,
      layer: sibling.layer,
      alertName: sibling.alertName,
      labels: sibling.labels,
      locality: sibling.match,
      valueKind: "gauge",
      values: [],
      firingSince: sibling.startsAt,
      prior: priorFor(undefined, [], scope.config.priors),
    });
  }
}
