import { durationMs } from "../../core/config/zod-fields.js";
import { detectorFor } from "../detectors/registry.js";
import type { ParsedPromql } from "../promql/parse-promql.js";
import { alertNameFor } from "../plan/naming.js";
import type { SpecDocument } from "../spec/spec-schema.js";
import type { Target } from "../targets/target.js";
import type { Monitor, Settings, SpecModel } from "./monitor.js";

/** The user's spec, defaults applied, as the model the generator works on. */
export function mapSpecToModel(
  spec: SpecDocument,
  file: string,
  defaultName: string,
  signals: ReadonlyMap<number, ParsedPromql>,
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
      doc.for !== undefined
        ? durationMs(doc.for)
        : detectorFor(doc.detector.type).defaultForMs(settings),
    keepFiringForMs:
      doc.keep_firing_for !== undefined ? durationMs(doc.keep_firing_for) : undefined,
    severity: doc.severity ?? defaults?.severity ?? "warning",
    summary: doc.summary,
    description: doc.description,
    runbookUrl: doc.runbook_url ?? (runbookBase ? `${runbookBase}/${doc.name}` : ""),
    labels: { ...(defaults?.labels ?? {}), ...(doc.labels ?? {}) },
    related: doc.related ?? [],
    specIndex,
  }));
  return { name: spec.name ?? defaultName, file, settings, monitors };
}
