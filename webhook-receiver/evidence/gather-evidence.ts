import type { MonitorContext, SignalValueKind } from "../../spec/context/spec-context.js";
import type { Unit } from "../../spec/model/unit.js";
import type { Alert } from "../payload/notification.js";
import type { AlertmanagerApi } from "./alertmanager-api.js";
import {
  MAX_COUNTER_SERIES_PER_QUERY,
  MAX_POINTS,
  MAX_SERIES_PER_QUERY,
} from "./analysis-config.js";
import type { AnalysisConfig } from "./analysis-config.js";
import { alertStates } from "./alert-state.js";
import type { ConcurrencyLimit } from "./concurrency-limit.js";
import { signalSeries } from "./event-series.js";
import { expressionFromGeneratorUrl } from "./generator-url.js";
import { SourceError, transportReason } from "./http-endpoint.js";
import type { BandPlan } from "../incidents/monitor-bands.js";
import type { PrometheusApi } from "./prometheus-api.js";
import type { Observation, OwnCause, ScoringWindow } from "./scoring.js";
import { labelsInclude, labelsText } from "./series.js";
import type { Labels, Sample, Series } from "./series.js";
import {
  alertStateQuery,
  groupMatchers,
  joinedMetricQuery,
  joinedSignalQuery,
  rawGroupQuery,
  signalQuery,
} from "./signal-queries.js";
import {
  entitiesOf,
  joinLabels,
  linkedLocality,
  linkJoins,
  linkValuesOf,
  localityOf,
  mergeEntities,
} from "./topology.js";
import type { Entities, JoinLabel } from "./topology.js";
import { XID_SOURCES, xidEvents } from "./xid-codes.js";
import { asViewed, joinedViewQuery, viewLineIndex } from "./view-signal.js";
import { markFiring, observe, ownCauseOf } from "./observations.js";
import type { EvidenceScope } from "./observations.js";
import { applySiblings, fetchActiveAlerts, joinSiblings } from "./siblings.js";
import type { Sibling } from "./siblings.js";

/** The alert being explained: the group's earliest firing alert. */
export interface AlertUnderAnalysis {
  readonly alert: Alert;
  /** Its monitor when aiwatch generated it (its `monitor` label names one in the spec). */
  readonly monitor: MonitorContext | undefined;
  /** Alerts of the notification itself: never their own siblings. */
  readonly groupFingerprints: ReadonlySet<string>;
}

export interface AnalysisWindow extends ScoringWindow {
  readonly stepMs: number;
}

export interface SignalView {
  readonly query: string;
  readonly labels: Labels;
  /** As strength reads them: a level as it is, a counter as its increase per step. */
  readonly samples: readonly Sample[];
  /** Absent for an alert outside the spec: its expression's values, as they are. */
  readonly valueKind?: SignalValueKind;
  readonly unit?: Unit;
  /**
   * What the values are when they are not the signal itself but what the alert compares:
   * `ratio over 1h`, `burn rate over 1h (alerts above 14.4)` (the view's legend).
   */
  readonly what?: string;
}

export interface GatheredEvidence {
  readonly window: AnalysisWindow;
  readonly context: Entities;
  /** The alert's own signal over the window. */
  readonly signal: SignalView | undefined;
  readonly observations: readonly Observation[];
  /** The alert's own signal, when its prior makes it a known cause (XID 79, ECC). */
  readonly ownCause?: OwnCause;
  /** Related monitors looked at. */
  readonly checked: readonly string[];
  /**
   * Related monitors nothing links to this alert: no shared GPU, node, pod, run, job or
   * model, and none of the labels the spec declares. Their series are not evidence (a
   * change elsewhere at the same time is no reason).
   */
  readonly unlinked: readonly string[];
  readonly siblings: readonly Sibling[];
  /** What could not be read (a bad query, Alertmanager down): said, not hidden. */
  readonly notes: readonly string[];
  /** The detector's band or threshold around the alert's own signal, for the incident page. */
  readonly band?: SignalBand;
}

export interface SignalBand {
  readonly lines: readonly { readonly legend: string; readonly samples: readonly Sample[] }[];
  readonly threshold?: number;
}

export type { Sibling };

export interface GatherDeps {
  readonly prometheus: PrometheusApi;
  readonly alertmanager: AlertmanagerApi | undefined;
  readonly limit: ConcurrencyLimit;
  readonly onQuery: (
    source: "prometheus" | "alertmanager",
    outcome: "ok" | "error",
    seconds: number,
  ) => void;
}

/**
 * The window: from `lookback` before the alert's onset (its startsAt less its monitor's
 * `for`, when the anomaly itself began) to now, at most `lookback` after it; the baseline
 * ends `horizon` before the onset. One point per scrape interval, at most MAX_POINTS.
 */
export function analysisWindow(
  target: AlertUnderAnalysis,
  config: AnalysisConfig,
  now: number,
): AnalysisWindow {
  const onsetMs = Date.parse(target.alert.startsAt) - (target.monitor?.forMs ?? 0);
  const startMs = onsetMs - config.lookbackMs;
  const minStep = target.monitor?.scrapeIntervalMs ?? config.defaultStepMs;
  const endMs = Math.max(onsetMs + minStep, Math.min(now, onsetMs + config.lookbackMs));
  const stepMs = Math.max(minStep, Math.ceil((endMs - startMs) / MAX_POINTS / 1000) * 1000);
  return { startMs, baselineEndMs: onsetMs - config.horizonMs, onsetMs, endMs, stepMs };
}

/**
 * Reads the evidence for one alert: its topology (its own raw series and info metrics),
 * its signal, each related monitor's signal joined on that topology, their alert states,
 * XID codes where the alert runs, and Alertmanager's other active alerts. Queries run
 * through the shared concurrency limit. Prometheus being unreachable, slow or failing
 * (5xx) aborts the attempt with a SourceError; a query Prometheus refuses (4xx) and an
 * Alertmanager failure become notes.
 */
export async function gatherEvidence(
  target: AlertUnderAnalysis,
  config: AnalysisConfig,
  deps: GatherDeps,
  now: number,
  signal: AbortSignal,
): Promise<GatheredEvidence> {
  const window = analysisWindow(target, config, now);
  const rangeMs = window.endMs - window.startMs;
  const topology = config.topology;
  const monitor = target.monitor;
  const spec = config.spec;
  const attempt = new AbortController();
  const attemptSignal = AbortSignal.any([signal, attempt.signal]);
  const notes: string[] = [];

  const prom = async (
    what: string,
    query: string | undefined,
    run: (query: string, s: AbortSignal) => Promise<Series[]>,
    maxSeries = MAX_SERIES_PER_QUERY,
  ): Promise<Series[]> => {
    if (query === undefined) return [];
    const started = performance.now();
    try {
      const series = await deps.limit.run(() => run(query, attemptSignal), attemptSignal);
      deps.onQuery("prometheus", "ok", (performance.now() - started) / 1000);
      const sorted = [...series].sort((a, b) =>
        labelsText(a.labels).localeCompare(labelsText(b.labels)),
      );
      if (sorted.length > maxSeries)
        notes.push(`${what}: ${sorted.length} series, the first ${maxSeries} read`);
      return sorted.slice(0, maxSeries);
    } catch (error) {
      // Another query already failed the attempt and aborted this one: not its own error.
      if (attempt.signal.aborted) throw error;
      deps.onQuery("prometheus", "error", (performance.now() - started) / 1000);
      if (error instanceof SourceError && error.failure === "bad_request") {
        notes.push(`${what}: ${error.message}`);
        return [];
      }
      attempt.abort();
      throw error instanceof SourceError
        ? error
        : new SourceError("prometheus", "unavailable", transportReason(error));
    }
  };
  const range = (what: string, query: string | undefined, maxSeries?: number) =>
    prom(
      what,
      query,
      (q, s) => deps.prometheus.queryRange(q, window.startMs, window.endMs, window.stepMs, s),
      maxSeries,
    );
  // A monitor's signal: counters come series by series and are summed per group here.
  const readSignal = (what: string, m: MonitorContext, query: string | undefined) =>
    range(
      what,
      query,
      m.valueKind === "counter" ? MAX_COUNTER_SERIES_PER_QUERY : MAX_SERIES_PER_QUERY,
    ).then((series) => {
      const groups = signalSeries(m, series, window.startMs, window.stepMs);
      if (groups.length > MAX_SERIES_PER_QUERY)
        notes.push(`${what}: ${groups.length} groups, the first ${MAX_SERIES_PER_QUERY} read`);
      return groups.slice(0, MAX_SERIES_PER_QUERY);
    });
  const instant = (what: string, query: string | undefined) =>
    prom(what, query, (q, s) => deps.prometheus.query(q, window.endMs, s));

  // Alertmanager is asked at once; its answer is joined once the topology is known.
  const activeAlerts = fetchActiveAlerts(deps, attemptSignal, notes);

  // 1. Topology: the alert's labels, its group's raw series, the workload's info metrics.
  const fromLabels = entitiesOf(target.alert.labels, topology);
  const workloadJoins = joinLabels(undefined, fromLabels, topology, ["run", "pod"]);
  const [raw, ...infos] = await Promise.all([
    monitor
      ? instant("the alert's raw series", rawGroupQuery(monitor, target.alert.labels, rangeMs))
      : Promise.resolve([]),
    ...topology.infoMetrics.map((metric) =>
      instant(metric, joinedMetricQuery(metric, workloadJoins, rangeMs)),
    ),
  ]);
  const labelSets = [
    target.alert.labels,
    ...[...(raw ?? []), ...infos.flat()].map((s) => s.labels),
  ];
  const context = mergeEntities(
    fromLabels,
    ...labelSets.slice(1).map((labels) => entitiesOf(labels, topology)),
  );

  // 2. The alert's own signal, each related monitor's, their alert states, XID codes.
  const related = relatedMonitors(monitor, spec);
  // A related monitor is joined on the labels the spec declares link it, or else on the
  // topology; one that nothing joins is not read at all.
  const declared = (m: MonitorContext): readonly string[] | undefined => monitor?.relatedOn[m.name];
  const links = linkValuesOf(labelSets, [...new Set(related.flatMap((m) => declared(m) ?? []))]);
  const joinsOf = related.map((m): JoinLabel[] => {
    const on = declared(m);
    return on ? linkJoins(on, links, topology) : joinLabels(m.by, context, topology);
  });
  const gpuJoins = joinLabels(undefined, context, topology, ["gpu", "node"]);
  const bandPlan = monitor
    ? config.bands?.get(monitor.name)?.(groupMatchers(monitor, target.alert.labels))
    : undefined;
  // A ratio or burn-rate alert compares its view, not its counter: one of the view's
  // lines (read with the band) is the own signal, and is not drawn twice as a band line.
  const viewLine =
    monitor?.compared.from === "view" && bandPlan
      ? viewLineIndex(bandPlan, target.alert.labels)
      : undefined;
  const ownQuery = !monitor
    ? expressionFromGeneratorUrl(target.alert.generatorURL)
    : viewLine === undefined
      ? signalQuery(monitor, groupMatchers(monitor, target.alert.labels))
      : undefined;
  // A related ratio or burn-rate monitor is read through its view where it can be.
  const relatedReads = related.map((m, i) => {
    const joins = joinsOf[i] ?? [];
    const viewQuery = joinedViewQuery(m, config.bands, joins);
    return viewQuery !== undefined
      ? { monitor: asViewed(m), query: viewQuery }
      : { monitor: m, query: joins.length > 0 ? joinedSignalQuery(m, joins) : undefined };
  });
  const [own, bandSeries, states, xidSeries, ...candidates] = await Promise.all([
    monitor
      ? readSignal("the alert's signal", monitor, ownQuery)
      : range("the alert's signal", ownQuery),
    Promise.all((bandPlan?.lines ?? []).map((line) => range(`band ${line.legend}`, line.expr))),
    range("alert states", alertStateQuery(related.map((m) => m.name))),
    Promise.all(
      XID_SOURCES.map((source) => range(source.metric, joinedMetricQuery(source.metric, gpuJoins))),
    ),
    ...relatedReads.map((r) => readSignal(r.monitor.name, r.monitor, r.query)),
  ]);

  const xid = XID_SOURCES.flatMap((source, i) =>
    xidEvents(source, xidSeries[i] ?? [], { ...window, fromMs: window.baselineEndMs }),
  );
  const observations: Observation[] = [];
  relatedReads.forEach(({ monitor: m, query }, i) => {
    const joins = joinsOf[i] ?? [];
    if (joins.length === 0) return;
    const on = declared(m);
    for (const series of candidates[i] ?? []) {
      const locality = on
        ? linkedLocality(series.labels, joins, topology)
        : localityOf(series.labels, context, topology);
      if (locality.locality === "cluster") continue;
      observations.push(
        observe(m, series.labels, locality, series.samples, window, config, xid, query),
      );
    }
  });
  const declaredJoins = new Map(
    related.flatMap((m, i) => (declared(m) ? [[m.name, joinsOf[i] ?? []] as const] : [])),
  );
  const evidence: EvidenceScope = { context, window, config, xid, declaredJoins };
  for (const state of alertStates(states, window.baselineEndMs)) {
    const m = related.find((r) => r.name === state.monitor);
    if (state.firing && m) markFiring(observations, m, state.labels, state.activeSince, evidence);
  }
  const siblings = joinSiblings(await activeAlerts, target, context, config);
  applySiblings(observations, siblings, monitor, related, spec?.monitors, evidence);

  const viewed = viewLine !== undefined ? bandPlan?.lines[viewLine] : undefined;
  const ownView = viewed
    ? pickOwnSeries(bandSeries[viewLine ?? 0] ?? [], target.alert.labels, viewed.expr)
    : pickOwnSeries(own, target.alert.labels, ownQuery);
  const ownMonitor = monitor && viewed ? asViewed(monitor) : monitor;
  const ownCause = monitor ? ownCauseOf(monitor, target.alert.labels, config, xid) : undefined;
  const band =
    bandPlan &&
    signalBand(
      { ...bandPlan, lines: bandPlan.lines.filter((_, i) => i !== viewLine) },
      bandSeries.filter((_, i) => i !== viewLine),
      target.alert.labels,
    );
  return {
    window,
    context,
    signal:
      ownView && ownMonitor
        ? {
            ...ownView,
            valueKind: ownMonitor.valueKind,
            ...(ownMonitor.unit !== undefined ? { unit: ownMonitor.unit } : {}),
            ...(viewed ? { what: viewed.legend } : {}),
          }
        : ownView,
    observations,
    ...(ownCause ? { ownCause } : {}),
    checked: related.map((m) => m.name),
    unlinked: related.filter((_, i) => (joinsOf[i] ?? []).length === 0).map((m) => m.name),
    siblings,
    notes,
    ...(band ? { band } : {}),
  };
}

/** Each band line's series for this alert (the one carrying its labels, or the only one). */
function signalBand(
  plan: BandPlan,
  series: readonly (readonly Series[])[],
  alertLabels: Labels,
): SignalBand {
  const lines = plan.lines.flatMap((line, i) => {
    const found = series[i] ?? [];
    const match =
      found.find((s) => labelsInclude(alertLabels, withoutName(s.labels))) ??
      (found.length === 1 ? found[0] : undefined);
    return match ? [{ legend: line.legend, samples: match.samples }] : [];
  });
  return { lines, ...(plan.threshold !== undefined ? { threshold: plan.threshold } : {}) };
}

function relatedMonitors(
  monitor: MonitorContext | undefined,
  spec: AnalysisConfig["spec"],
): MonitorContext[] {
  if (!monitor || !spec) return [];
  const out: MonitorContext[] = [];
  for (const name of [...new Set(monitor.related)].sort()) {
    const related = spec.monitors.get(name);
    if (related && related.name !== monitor.name) out.push(related);
  }
  return out;
}

/** The own query's series for this alert: the one whose labels the alert carries. */
function pickOwnSeries(
  series: readonly Series[],
  alertLabels: Labels,
  query: string | undefined,
): SignalView | undefined {
  if (query === undefined) return undefined;
  const match =
    series.find((s) => labelsInclude(alertLabels, withoutName(s.labels))) ??
    (series.length === 1 ? series[0] : undefined);
  return match ? { query, labels: withoutName(match.labels), samples: match.samples } : undefined;
}

function withoutName(labels: Labels): Labels {
  const { __name__: _name, ...rest } = labels;
  return rest;
}
