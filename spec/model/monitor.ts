import type { VectorSelectorInfo } from "../../core/promql/parse-promql.js";
import type { DetectorParams } from "../schema/detector-params.js";
import type { Target } from "./target.js";
import type { Unit } from "./unit.js";

export const LAYERS = ["data", "model", "environment"] as const;
export type Layer = (typeof LAYERS)[number];

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const AGGREGATIONS = ["avg", "sum", "max", "min"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface Signal {
  readonly expr: string;
  /** Set when the signal is one plain vector selector; detectors on counters need one. */
  readonly selector: VectorSelectorInfo | undefined;
}

/**
 * A monitor as the generator sees it: defaults applied, durations in milliseconds, names
 * derived. The generator never reads the user's YAML; `specIndex` only lets later steps
 * point diagnostics back at `monitors[specIndex]`.
 */
export interface Monitor<P extends DetectorParams = DetectorParams> {
  readonly name: string;
  readonly alertName: string;
  readonly layer: Layer;
  readonly signal: Signal;
  /** Labels the signal is aggregated by; undefined keeps every series as it is. */
  readonly by: readonly string[] | undefined;
  readonly aggregation: Aggregation;
  readonly detector: P;
  readonly forMs: number;
  readonly keepFiringForMs: number | undefined;
  readonly severity: Severity;
  readonly summary: string | undefined;
  readonly description: string | undefined;
  readonly runbookUrl: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly related: readonly string[];
  /**
   * Per related monitor, the labels the spec declares link it to this one (`related: [{
   * monitor, on }]`); a related monitor not listed here is linked by the topology alone.
   */
  readonly relatedOn: Readonly<Record<string, readonly string[]>>;
  /** The unit of the signal's values (UNIT_INFO gives Grafana's id); undefined: a plain number. */
  readonly unit: Unit | undefined;
  readonly specIndex: number;
}

export interface Settings {
  readonly scrapeIntervalMs: number;
  readonly evaluationIntervalMs: number;
  /** The engine the rules are compiled for (see ../targets). */
  readonly target: Target;
}

export interface SpecModel {
  /** Spec name: used in group names and the generated files' header. */
  readonly name: string;
  readonly file: string;
  readonly settings: Settings;
  readonly monitors: readonly Monitor[];
  /** The alerts on aiwatch itself, unless the spec says `self_monitoring: false`. */
  readonly selfMonitoring: SelfMonitoring | undefined;
  /** `defaults.labels`: added to every alert, the self-monitoring ones included. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface SelfMonitoring {
  /** Each alert's runbook_url is this plus `#` and the alert name in lower case. */
  readonly runbookBaseUrl: string;
}

/** The runbooks shipped with aiwatch (docs/self-monitoring.md), one heading per alert. */
export const DEFAULT_SELF_MONITORING_RUNBOOKS =
  "https://github.com/aiwatch/aiwatch/blob/main/docs/self-monitoring.md";
