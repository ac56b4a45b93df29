import type { ActionOutcome } from "../actions/action-config.js";
import { queryLinks } from "./links.js";
import type { LinkTargets } from "./links.js";
import type { Analysis } from "./render-analysis.js";
import { sparkline } from "./sparkline.js";

const SPARK_WIDTH = 20;

/**
 * The analysis as JSON (`enrichment.data`, sent by the generic webhook): every number the
 * verdict rests on, with links to each query over the window.
 */
export function actionData(a: ActionOutcome): Record<string, unknown> {
  return {
    action: a.action,
    route: a.route,
    mode: a.mode,
    result: a.result,
    method: a.method,
    target: a.target,
    ...(a.status !== undefined ? { status: a.status } : {}),
    detail: a.detail,
    at: new Date(a.at).toISOString(),
    ...(a.durationMs !== undefined ? { durationMs: Math.round(a.durationMs) } : {}),
  };
}

export function analysisData(
  analysis: Analysis,
  targets: LinkTargets,
  actions: readonly ActionOutcome[] | undefined,
): Record<string, unknown> {
  const { evidence: gathered, verdict, target } = analysis;
  const { startMs, endMs, stepMs, baselineEndMs, onsetMs } = gathered.window;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    enriched: true,
    verdict: verdict.layer,
    confidence: verdict.confidence,
    layerScores: verdict.layerScores,
    alert: {
      alertname: target.alert.labels["alertname"] ?? null,
      monitor: target.monitor?.name ?? null,
      layer: target.monitor?.layer ?? target.alert.labels["layer"] ?? null,
      fingerprint: target.alert.fingerprint,
      startsAt: target.alert.startsAt,
      onset: iso(onsetMs),
    },
    window: {
      start: iso(startMs),
      baselineEnd: iso(baselineEndMs),
      end: iso(endMs),
      stepSeconds: stepMs / 1000,
    },
    signal: gathered.signal
      ? {
          query: gathered.signal.query,
          labels: gathered.signal.labels,
          valueKind: gathered.signal.valueKind ?? null,
          unit: gathered.signal.unit ?? null,
          sparkline: sparkline(
            gathered.signal.samples.map((s) => s.v),
            SPARK_WIDTH,
          ),
          links: queryLinks(targets, gathered.signal.query, startMs, endMs),
        }
      : null,
    ownCause: verdict.ownCause
      ? {
          monitor: verdict.ownCause.monitor,
          layer: verdict.ownCause.layer,
          labels: verdict.ownCause.labels,
          prior: verdict.ownCause.prior.weight,
          priorReason: verdict.ownCause.prior.reason ?? null,
          score: verdict.ownCause.score,
          explanation: verdict.ownCause.explanation,
        }
      : null,
    evidence: verdict.evidence.map((e) => ({
      monitor: e.observation.monitor,
      layer: e.observation.layer,
      alertname: e.observation.alertName ?? null,
      labels: e.observation.labels,
      valueKind: e.observation.valueKind,
      unit: e.observation.unit ?? null,
      locality: e.observation.locality.locality,
      sharedEntity: e.observation.locality.kind
        ? {
            kind: e.observation.locality.kind,
            label: e.observation.locality.label,
            value: e.observation.locality.value,
          }
        : null,
      baseline: e.baseline
        ? { median: e.baseline.median, scale: e.baseline.scale, samples: e.baseline.count }
        : null,
      peak: e.peak ? { at: iso(e.peak.t), value: e.peak.v, z: e.peak.z } : null,
      startedAt: e.startedAt !== undefined ? iso(e.startedAt) : null,
      leadSeconds: e.leadMs !== undefined ? e.leadMs / 1000 : null,
      firing: e.firing,
      strength: e.strength,
      precedence: e.precedence,
      localityWeight: e.localityWeight,
      prior: e.prior,
      priorReason: e.observation.prior.reason ?? null,
      score: e.score,
      explanation: e.explanation,
      sparkline: sparkline(
        e.observation.values.map((s) => s.v),
        SPARK_WIDTH,
      ),
      query: e.observation.query ?? null,
      links: e.observation.query ? queryLinks(targets, e.observation.query, startMs, endMs) : [],
    })),
    checked: gathered.checked,
    unlinked: gathered.unlinked,
    siblings: gathered.siblings.map((s) => ({
      alertname: s.alertName,
      labels: s.labels,
      startsAt: iso(s.startsAt),
      locality: s.match.locality,
      layer: s.layer ?? null,
    })),
    actions: (actions ?? []).map(actionData),
    notes: gathered.notes,
  };
}
