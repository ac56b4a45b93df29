import type { SpecContext } from "../../spec/context/spec-context.js";
import type { MonitorBands } from "../incidents/monitor-bands.js";
import type { HttpEndpoint } from "./http-endpoint.js";
import type { LinkTargets } from "./links.js";
import type { PriorRule } from "./priors.js";
import type { ScoringSettings } from "./scoring.js";
import type { Topology } from "./topology.js";

/** The root-cause analysis as configured (`enrichment:` in receiver.yaml), validated. */
export interface AnalysisConfig {
  /** The aiwatch spec(s) the rules were compiled from; absent: generic enrichment only. */
  readonly spec: SpecContext | undefined;
  /** Each monitor's band or threshold, for the incident page's charts (with `spec`). */
  readonly bands?: MonitorBands;
  readonly prometheus: HttpEndpoint;
  readonly alertmanager: HttpEndpoint | undefined;
  readonly links: LinkTargets;
  readonly queryTimeoutMs: number;
  readonly maxConcurrency: number;
  /** Evidence is read from `lookback` before the alert's onset... */
  readonly lookbackMs: number;
  /** ...and a change is looked for within `horizon` before it (the rest is the baseline). */
  readonly horizonMs: number;
  /** Query resolution when no monitor gives a scrape interval. */
  readonly defaultStepMs: number;
  readonly cacheTtlMs: number;
  /** After a missed deadline, how long to keep trying for a follow-up. */
  readonly followUpForMs: number;
  readonly topology: Topology;
  readonly scoring: ScoringSettings;
  readonly priors: readonly PriorRule[];
}

/** Most series read per query; the rest are left out (and said so). */
export const MAX_SERIES_PER_QUERY = 50;
/**
 * Most counter series read per query: counters are read series by series and summed per
 * group in the receiver (event-series.ts), so a group's replicas all count. At most
 * MAX_SERIES_PER_QUERY groups are kept from them.
 */
export const MAX_COUNTER_SERIES_PER_QUERY = 500;
/** Most points per series in a range query. */
export const MAX_POINTS = 240;
