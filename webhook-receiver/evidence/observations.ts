import type { MonitorContext } from "../../spec/context/spec-context.js";
import type { AnalysisConfig } from "./analysis-config.js";
import type { AnalysisWindow } from "./gather-evidence.js";
import { priorFor } from "./priors.js";
import type { Observation, OwnCause } from "./scoring.js";
import { labelsInclude } from "./series.js";
import type { Labels, Sample } from "./series.js";
import { groupMatchers } from "./signal-queries.js";
import { entitiesOf, linkedLocality, localityOf } from "./topology.js";
import type { Entities, JoinLabel, LocalityMatch } from "./topology.js";
import type { XidEvents } from "./xid-codes.js";

/**
 * Observations: a related monitor's series (or its firing alert) as a candidate cause, its
 * values already read the monitor's way (`signalSeries`: increments for counters), its
 * prior from the XID codes seen where it was observed.
 */
export function observe(
  monitor: MonitorContext,
  labels: Labels,
  locality: LocalityMatch,
  values: readonly Sample[],
  window: AnalysisWindow,
  config: AnalysisConfig,
  xid: readonly XidEvents[],
  query: string | undefined,
): Observation {
  return {
    monitor: monitor.name,
    layer: monitor.layer,
    alertName: monitor.alertName,
    labels,
    locality,
    valueKind: monitor.valueKind,
    ...(monitor.unit !== undefined ? { unit: monitor.unit } : {}),
    values: [...values],
    prior: priorFor(
      monitor,
      monitor.layer === "environment" ? codesNear(labels, xid, config) : [],
      config.priors,
    ),
    ...(query !== undefined ? { query } : {}),
  };
}

/**
 * The alert's own signal as a cause, when its monitor's prior (XID codes seen on its own
 * GPU or node, an uncorrectable-ECC signal) weighs above 1; undefined otherwise.
 */
export function ownCauseOf(
  monitor: MonitorContext,
  alertLabels: Labels,
  config: AnalysisConfig,
  xid: readonly XidEvents[],
): OwnCause | undefined {
  const labels = Object.fromEntries(
    groupMatchers(monitor, alertLabels).map((m) => [m.name, m.value]),
  );
  const prior = priorFor(
    monitor,
    monitor.layer === "environment" ? codesNear(labels, xid, config) : [],
    config.priors,
  );
  return prior.weight > 1
    ? { monitor: monitor.name, layer: monitor.layer, labels, prior }
    : undefined;
}

/** XID codes seen on the GPU of `labels`, or on its node when it names no GPU. */
function codesNear(labels: Labels, xid: readonly XidEvents[], config: AnalysisConfig): number[] {
  const where = entitiesOf(labels, config.topology);
  const codes = new Set<number>();
  for (const event of xid) {
    const match = localityOf(event.labels, where, config.topology);
    if (match.locality === "gpu" || (match.locality === "node" && !where.has("gpu")))
      for (const code of event.codes) codes.add(code);
  }
  return [...codes].sort((a, b) => a - b);
}

/** What joining evidence to the alert needs. */
export interface EvidenceScope {
  readonly context: Entities;
  /**
   * The joins of each related monitor the spec links by declared labels (`on`): its
   * alerts count only through them, never through the topology. Empty when the alert
   * carries none of those labels' values: then nothing links that monitor.
   */
  readonly declaredJoins?: ReadonlyMap<string, readonly JoinLabel[]>;
  readonly window: AnalysisWindow;
  readonly config: AnalysisConfig;
  readonly xid: readonly XidEvents[];
}

/** A firing alert of a related monitor marks its series; one without a series is added. */
export function markFiring(
  observations: Observation[],
  monitor: MonitorContext,
  alertLabels: Labels,
  since: number,
  scope: EvidenceScope,
): void {
  const groupLabels = Object.fromEntries(
    groupMatchers(monitor, alertLabels).map((m) => [m.name, m.value]),
  );
  const index = observations.findIndex(
    (o) => o.monitor === monitor.name && labelsInclude(o.labels, groupLabels),
  );
  const existing = observations[index];
  if (existing) {
    const firingSince = Math.min(existing.firingSince ?? since, since);
    observations[index] = { ...existing, firingSince };
    return;
  }
  // Nothing shared with the alert (or, for a declared link, no linked value): firing at
  // the same time is no reason.
  const joins = scope.declaredJoins?.get(monitor.name);
  const locality = joins
    ? linkedLocality(alertLabels, joins, scope.config.topology, false)
    : localityOf(alertLabels, scope.context, scope.config.topology);
  if (locality.locality === "cluster") return;
  observations.push({
    ...observe(
      monitor,
      groupLabels,
      locality,
      [],
      scope.window,
      scope.config,
      scope.xid,
      undefined,
    ),
    firingSince: since,
  });
}
