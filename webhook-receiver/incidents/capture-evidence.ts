import type { AnalysisConfig } from "../evidence/analysis-config.js";
import { formatQuantity } from "../evidence/quantity.js";
import type { Analysis } from "../evidence/render-analysis.js";
import type { ScoredEvidence } from "../evidence/scoring.js";
import { labelsText } from "../evidence/series.js";
import type { Labels } from "../evidence/series.js";
import { groupMatchers } from "../evidence/signal-queries.js";
import { describeEntity } from "../evidence/topology.js";
import { gridLine } from "./incident-evidence.js";
import type {
  ChartMarker,
  EvidenceChart,
  EvidenceItem,
  IncidentEvidence,
} from "./incident-evidence.js";
import { unitOf } from "./units.js";

/** Evidence items charted (strongest first); every item is listed with its score. */
export const MAX_EVIDENCE_CHARTS = 10;
const MAX_EVIDENCE_ITEMS = 50;
const HIDDEN_LABELS = new Set(["monitor", "layer", "severity", "alertname", "__name__"]);

/**
 * The analysis as the incident page keeps it: the alert's own signal with its detector's
 * band or threshold, and each scored candidate with the series its score was computed
 * from and the baseline it was compared with. Pure: the same analysis gives the same record.
 */
export function captureEvidence(
  analysis: Analysis,
  config: Pick<AnalysisConfig, "bands" | "spec" | "scoring">,
  capturedAt: number,
): IncidentEvidence {
  const { evidence: gathered, verdict, target } = analysis;
  const window = gathered.window;
  const start = window.startMs;
  const step = window.stepMs;
  const alertStart = Date.parse(target.alert.startsAt);
  const alertName = target.alert.labels["alertname"] ?? "(no alertname)";
  const onsetMarkers = (): ChartMarker[] => [
    { t: window.onsetMs, kind: "onset", label: "onset" },
    ...(Number.isFinite(alertStart) && alertStart !== window.onsetMs
      ? [{ t: alertStart, kind: "start" as const, label: "alert fired" }]
      : []),
  ];
  const charts: EvidenceChart[] = [];
  const signal = gathered.signal;
  let signalChart: EvidenceChart | undefined;
  if (signal) {
    const band = gathered.band;
    const monitor = target.monitor;
    // A counter is charted per step; its threshold counts over the detector's whole window
    // and would read as a level the steps never reach, so it is not drawn on that axis.
    const perStep = (signal.valueKind ?? monitor?.valueKind ?? "gauge") !== "gauge";
    signalChart = {
      title: `${alertName}: the alert's own signal`,
      ...(monitor ? { monitor: monitor.name, layer: monitor.layer } : {}),
      labels: visible(signal.labels),
      unit: unitOf(
        signal.query,
        signal.valueKind ?? monitor?.valueKind ?? "gauge",
        window.stepMs,
        signal.unit,
      ),
      lines: [
        gridLine(monitor?.name ?? signal.query, "signal", signal.samples, start, step),
        ...(band?.lines ?? []).map((line) =>
          gridLine(line.legend, "band", line.samples, start, step),
        ),
      ],
      ...(band?.threshold !== undefined && !perStep
        ? {
            threshold: {
              value: band.threshold,
              label: `threshold ${formatQuantity(band.threshold, signal.unit)}`,
            },
          }
        : {}),
      markers: onsetMarkers(),
    };
  }
  const charted = new Map<ScoredEvidence, number>();
  for (const e of verdict.evidence) {
    if (charted.size >= MAX_EVIDENCE_CHARTS) break;
    const o = e.observation;
    if (o.values.length === 0) continue;
    charted.set(e, charts.length);
    const threshold = thresholdOf(o.monitor, o.labels, config);
    const lower = e.baseline ? e.baseline.median - config.scoring.zMin * e.baseline.scale : 0;
    const upper = e.baseline ? e.baseline.median + config.scoring.zMin * e.baseline.scale : 0;
    charts.push({
      title: `${o.monitor}${labelsSuffix(o.labels)}`,
      monitor: o.monitor,
      layer: o.layer,
      labels: visible(o.labels),
      unit: unitOf(o.query ?? o.monitor, o.valueKind, window.stepMs, o.unit),
      lines: [gridLine(o.monitor, "signal", o.values, start, step)],
      ...(threshold !== undefined && o.valueKind === "gauge"
        ? {
            threshold: {
              value: threshold,
              label: `alert threshold ${formatQuantity(threshold, o.unit)}`,
            },
          }
        : {}),
      ...(e.baseline
        ? {
            band: {
              lower,
              upper,
              label: `baseline median ± ${config.scoring.zMin}·scale (z ${config.scoring.zMin})`,
            },
          }
        : {}),
      markers: [
        ...onsetMarkers(),
        ...(e.startedAt !== undefined
          ? [{ t: e.startedAt, kind: "change" as const, label: "change started" }]
          : []),
      ],
      baselineEndMs: window.baselineEndMs,
    });
  }
  const evidence = verdict.evidence.slice(0, MAX_EVIDENCE_ITEMS).map((e): EvidenceItem => ({
    monitor: e.observation.monitor,
    layer: e.observation.layer,
    labels: visible(e.observation.labels),
    where: describeEntity(e.observation.locality),
    score: e.score,
    strength: e.strength,
    precedence: e.precedence,
    locality: e.localityWeight,
    prior: e.prior,
    ...(e.observation.prior.reason ? { priorReason: e.observation.prior.reason } : {}),
    firing: e.firing,
    ...(e.leadMs !== undefined ? { leadMs: e.leadMs } : {}),
    explanation: e.explanation,
    ...(charted.has(e) ? { chart: charted.get(e) } : {}),
  }));
  return {
    version: 1,
    capturedAt,
    window: {
      startMs: window.startMs,
      baselineEndMs: window.baselineEndMs,
      onsetMs: window.onsetMs,
      endMs: window.endMs,
      stepMs: window.stepMs,
    },
    verdict: {
      layer: verdict.layer,
      confidence: verdict.confidence,
      minScore: verdict.minScore,
      layerScores: verdict.layerScores,
    },
    ...(verdict.ownCause
      ? {
          ownCause: {
            monitor: verdict.ownCause.monitor,
            explanation: verdict.ownCause.explanation,
          },
        }
      : {}),
    ...(signalChart ? { signal: signalChart } : {}),
    charts,
    evidence,
    checked: gathered.checked,
    notes: gathered.notes,
  };
}

/** The fixed threshold of a monitor's detector, when it has one (no query needed). */
function thresholdOf(
  monitorName: string,
  labels: Labels,
  config: Pick<AnalysisConfig, "bands" | "spec">,
): number | undefined {
  const monitor = config.spec?.monitors.get(monitorName);
  if (!monitor) return undefined;
  return config.bands?.get(monitorName)?.(groupMatchers(monitor, labels))?.threshold;
}

function visible(labels: Labels): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => !HIDDEN_LABELS.has(name)));
}

function labelsSuffix(labels: Labels): string {
  const text = labelsText(labels, HIDDEN_LABELS);
  return text ? ` ${text}` : "";
}
