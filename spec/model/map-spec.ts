import { durationMs } from "../../core/config/zod-fields.js";
import type { ParsedPromql } from "../../core/promql/parse-promql.js";
import { alertNameFor } from "./naming.js";
import type { SpecDocument } from "../schema/spec-schema.js";
import type { Target } from "./target.js";
import type { DetectorParams } from "../schema/detector-params.js";
import { DEFAULT_SELF_MONITORING_RUNBOOKS } from "./monitor.js";
import type { Monitor, SelfMonitoring, Settings, SpecModel } from "./monitor.js";

/**
 * `for` and `keep_firing_for` when a monitor sets none: each detector knows its own
 * (rulegen's registry); undefined keep_firing_for leaves it out.
 */
export interface DetectorDefaults {
  forMs(detector: DetectorParams, settings: Settings): number;
  keepFiringForMs(detector: DetectorParams, settings: Settings): number | undefined;
}

/** The user's spec, defaults applied, as the model the generator works on. */
export function mapSpecToModel(
  spec: SpecDocument,
  file: string,
  defaultName: string,
  signals: ReadonlyMap<number, ParsedPromql>,
  detectorDefaults: DetectorDefaults,
  target: Target = "prometheus",
): SpecModel {
  const defaults = spec.defaults;
  const settings: Settings = {
    scrapeIntervalMs: durationMs(defaults?.scrape_interval ?? "15s"),
    evaluationIntervalMs: durationMs(defaults?.evaluation_interval ?? "1m"),
    target,
  };
  const runbookBase = defaults?.runbook_base_url?.replace(/\/+$/, "");
  const monitors: Monitor[] = spec.monitors.map((doc, specIndex) => ({
    name: doc.name,
    alertName: doc.alert ?? alertNameFor(doc.name),
    layer: doc.layer,
    signal: { expr: doc.signal.trim(), selector: signals.get(specIndex)?.selector },
    by: doc.by,
    aggregation: doc.aggregation ?? "avg",
    detector: doc.detector,
    forMs:
      doc.for !== undefined ? durationMs(doc.for) : detectorDefaults.forMs(doc.detector, settings),
    keepFiringForMs:
      doc.keep_firing_for !== undefined
        ? durationMs(doc.keep_firing_for)
        : detectorDefaults.keepFiringForMs(doc.detector, settings),
    severity: doc.severity ?? defaults?.severity ?? "warning",
    summary: doc.summary,
    description: doc.description,
    runbookUrl: doc.runbook_url ?? (runbookBase ? `${runbookBase}/${doc.name}` : ""),
    labels: { ...(defaults?.labels ?? {}), ...(doc.labels ?? {}) },
    related: (doc.related ?? []).map((r) => (typeof r === "string" ? r : r.monitor)),
    relatedOn: relatedOn(doc.related ?? []),
    unit: doc.unit,
    specIndex,
  }));
  return {
    name: spec.name ?? defaultName,
    file,
    settings,
    monitors,
    selfMonitoring: selfMonitoringOf(spec.self_monitoring),
    labels: defaults?.labels ?? {},
  };
}

function selfMonitoringOf(value: SpecDocument["self_monitoring"]): SelfMonitoring | undefined {
  if (value === false) return undefined;
  const base = typeof value === "object" ? value.runbook_base_url : undefined;
  return { runbookBaseUrl: base ?? DEFAULT_SELF_MONITORING_RUNBOOKS };
}

/** The declared links of `related`, merged per monitor (a monitor may be listed twice). */
function relatedOn(
  related: readonly (string | { readonly monitor: string; readonly on: readonly string[] })[],
): Record<string, readonly string[]> {
  const out: Record<string, string[]> = {};
  for (const r of related)
    if (typeof r !== "string") out[r.monitor] = [...new Set([...(out[r.monitor] ?? []), ...r.on])];
  return out;
}
