import type { SignalValueKind } from "../../spec/context/spec-context.js";
import type { Unit } from "../../spec/model/unit.js";
import { LAYERS } from "../../spec/model/monitor.js";
import type { Layer } from "../../spec/model/monitor.js";
import type { Prior } from "./priors.js";
import { formatNumber, formatZ } from "./quantity.js";
import { robustBaseline, robustZ } from "./robust-stats.js";
import type { Baseline, ScaleFloors } from "./robust-stats.js";
import { labelsText } from "./series.js";
import type { Labels, Sample } from "./series.js";
import { describeEntity } from "./topology.js";
import type { Locality, LocalityMatch } from "./topology.js";

/** One candidate cause as observed: a series of a related monitor, or a sibling alert. */
export interface Observation {
  /** The monitor's name (or the alert's name for a sibling outside the spec). */
  readonly monitor: string;
  readonly layer: Layer;
  readonly alertName?: string;
  readonly labels: Labels;
  readonly locality: LocalityMatch;
  readonly valueKind: SignalValueKind;
  /** The unit of a level's values (the monitor's `unit`). */
  readonly unit?: Unit;
  /** Values strength is measured on (increments for counters), over the whole window. */
  readonly values: readonly Sample[];
  /** When its own alert became active, if it is firing. */
  readonly firingSince?: number;
  readonly prior: Prior;
  /** The PromQL that returned it, for links. */
  readonly query?: string;
}

/** The time structure of one analysis. */
export interface ScoringWindow {
  readonly startMs: number;
  /** The candidate's own baseline is what it did before this; changes are looked for after. */
  readonly baselineEndMs: number;
  /** When the alert's anomaly began (its startsAt less its monitor's `for`). */
  readonly onsetMs: number;
  readonly endMs: number;
}

export interface ScoringSettings {
  /** A robust z below this is no evidence; at `zFull` and above, full strength. */
  readonly zMin: number;
  readonly zFull: number;
  /** The best layer must score at least this, else the verdict is `unknown`. */
  readonly minScore: number;
  /** A change up to this long after the alert's onset still counts as before it. */
  readonly toleranceMs: number;
  /** Precedence weight of evidence that started after the alert (a likely consequence). */
  readonly afterAlertWeight: number;
  /** Strength of a related alert that is firing, whatever its signal shows. */
  readonly firingStrength: number;
  readonly locality: Readonly<Record<Locality, number>>;
  /** Scale floors for levels, and for event counts (where a quiet baseline has MAD 0). */
  readonly floors: ScaleFloors;
  readonly eventFloors: ScaleFloors;
}

export const DEFAULT_SCORING: ScoringSettings = {
  zMin: 3,
  zFull: 8,
  minScore: 0.3,
  toleranceMs: 30_000,
  afterAlertWeight: 0.4,
  firingStrength: 0.75,
  // Evidence sharing nothing with the alert never counts: timing alone is no reason.
  locality: { gpu: 1, node: 0.85, workload: 0.7, cluster: 0 },
  floors: { relative: 0.05, absolute: 1e-9 },
  eventFloors: { relative: 0, absolute: 0.1 },
};

export interface ScoredEvidence {
  readonly observation: Observation;
  readonly baseline?: Baseline;
  /** The test-window sample furthest from the baseline. */
  readonly peak?: { readonly t: number; readonly v: number; readonly z: number };
  /** When the change (or its alert) started. */
  readonly startedAt?: number;
  /** How long before the alert's onset it started (negative: after). */
  readonly leadMs?: number;
  readonly firing: boolean;
  readonly strength: number;
  readonly precedence: number;
  readonly localityWeight: number;
  readonly prior: number;
  readonly score: number;
  readonly explanation: string;
}

export type VerdictLayer = Layer | "unknown";

/**
 * The alert's own signal when a prior says it is a cause in itself (a GPU that fell off
 * the bus, an uncorrectable ECC error): nothing has to explain it, it explains the rest.
 */
export interface OwnCause {
  readonly monitor: string;
  readonly layer: Layer;
  /** The alert's group labels (its GPU, its node). */
  readonly labels: Labels;
  readonly prior: Prior;
}

export interface ScoredOwnCause extends OwnCause {
  /** `firing_strength` × prior, capped at 1: precedence and locality are 1 (it is the alert). */
  readonly score: number;
  readonly explanation: string;
}

export interface Verdict {
  readonly layer: VerdictLayer;
  /** The best layer's score times its share of all layers' scores; 0 for `unknown`. */
  readonly confidence: number;
  readonly layerScores: Readonly<Record<Layer, number>>;
  /** The score the best layer needed (`min_score`). */
  readonly minScore: number;
  /** Every scored observation, strongest first. */
  readonly evidence: readonly ScoredEvidence[];
  /** The alert's own signal, when it is a known cause in itself. */
  readonly ownCause?: ScoredOwnCause;
}

/**
 * score = strength × precedence × locality × prior, capped at 1. Deterministic: the same
 * observations always give the same numbers and the same order.
 *
 * - strength: the robust z-score of the candidate's furthest value after `baselineEndMs`
 *   against its own median and MAD before it, mapped linearly from `zMin` (0) to `zFull`
 *   (1); a firing alert of the candidate is worth at least `firingStrength`.
 * - precedence: 1 when the change started before the alert's onset (within the
 *   tolerance), else `afterAlertWeight`. The change starts at the first sample reaching
 *   half its peak deviation, so one noisy sample does not date it.
 * - locality: by the closest shared entity (same GPU > same node > same workload >
 *   cluster).
 * - prior: see priors.ts.
 */
export function scoreObservation(
  observation: Observation,
  window: ScoringWindow,
  settings: ScoringSettings,
): ScoredEvidence {
  const floors = observation.valueKind === "gauge" ? settings.floors : settings.eventFloors;
  const before = observation.values.filter(
    (s) => s.t >= window.startMs && s.t < window.baselineEndMs,
  );
  const after = observation.values.filter((s) => s.t >= window.baselineEndMs);
  const baseline = robustBaseline(
    before.map((s) => s.v),
    floors,
  );
  let peak: ScoredEvidence["peak"];
  let signalStrength = 0;
  let signalStart: number | undefined;
  if (baseline && after.length > 0) {
    const scored = after.map((s) => ({ ...s, z: robustZ(s.v, baseline) }));
    for (const s of scored) if (!peak || Math.abs(s.z) > Math.abs(peak.z)) peak = s;
    const peakZ = Math.abs(peak?.z ?? 0);
    signalStrength = clamp01((peakZ - settings.zMin) / (settings.zFull - settings.zMin));
    if (signalStrength > 0) {
      const threshold = Math.max(settings.zMin, peakZ / 2);
      signalStart = scored.find((s) => Math.abs(s.z) >= threshold)?.t;
    }
  }
  const firing = observation.firingSince !== undefined;
  const strength = Math.max(signalStrength, firing ? settings.firingStrength : 0);
  const starts = [signalStart, firing ? observation.firingSince : undefined].filter(
    (t): t is number => t !== undefined,
  );
  const startedAt = starts.length > 0 ? Math.min(...starts) : undefined;
  const leadMs = startedAt !== undefined ? window.onsetMs - startedAt : undefined;
  const precedence =
    strength === 0
      ? 0
      : leadMs !== undefined && leadMs >= -settings.toleranceMs
        ? 1
        : settings.afterAlertWeight;
  const localityWeight =
    observation.locality.locality === "cluster"
      ? 0
      : settings.locality[observation.locality.locality];
  const prior = observation.prior.weight;
  const score = Math.min(1, strength * precedence * localityWeight * prior);
  const evidence = {
    observation,
    ...(baseline ? { baseline } : {}),
    ...(peak ? { peak } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(leadMs !== undefined ? { leadMs } : {}),
    firing,
    strength,
    precedence,
    localityWeight,
    prior,
    score,
  };
  return { ...evidence, explanation: explain(evidence, signalStrength) };
}

/**
 * The alert's own signal scored as a cause: it is firing (`firingStrength`), it is the
 * onset itself (precedence 1) and its own entity (locality 1); only a prior above 1 makes
 * it a cause rather than the thing to explain.
 */
export function scoreOwnCause(own: OwnCause, settings: ScoringSettings): ScoredOwnCause {
  const score = Math.min(1, settings.firingStrength * own.prior.weight);
  const reason = own.prior.reason ? ` (${own.prior.reason})` : "";
  return {
    ...own,
    score,
    explanation: `score ${formatNumber(score)} = strength ${formatNumber(settings.firingStrength)} (the alert itself is firing) × precedence 1 (the alert's own onset) × locality 1 (its own signal) × prior ${formatNumber(own.prior.weight)}${reason}`,
  };
}

/**
 * The verdict: per layer, the noisy-OR of its monitors' best scores (several independent
 * hints in one layer add up, many series of one monitor do not), the alert's own signal
 * counting in its layer when it is a known cause (`ownCause`); the best layer if it
 * reaches `minScore`, else `unknown`.
 */
export function decideVerdict(
  observations: readonly Observation[],
  window: ScoringWindow,
  settings: ScoringSettings,
  ownCause?: OwnCause,
): Verdict {
  const own = ownCause && ownCause.prior.weight > 1 ? scoreOwnCause(ownCause, settings) : undefined;
  const evidence = observations
    .map((o) => scoreObservation(o, window, settings))
    .sort(compareEvidence);
  const bestPerMonitor = new Map<string, ScoredEvidence>();
  for (const e of evidence)
    if (!bestPerMonitor.has(e.observation.monitor)) bestPerMonitor.set(e.observation.monitor, e);
  const layerScores = Object.fromEntries(LAYERS.map((l) => [l, 0])) as Record<Layer, number>;
  for (const layer of LAYERS) {
    let miss = own?.layer === layer ? 1 - own.score : 1;
    for (const e of bestPerMonitor.values()) if (e.observation.layer === layer) miss *= 1 - e.score;
    layerScores[layer] = round(1 - miss);
  }
  let top: Layer | undefined;
  for (const layer of LAYERS)
    if (top === undefined || layerScores[layer] > layerScores[top]) top = layer;
  const total = LAYERS.reduce((sum, l) => sum + layerScores[l], 0);
  const best = top !== undefined ? layerScores[top] : 0;
  const ownPart = own ? { ownCause: own } : {};
  if (top === undefined || best < settings.minScore || total === 0)
    return {
      layer: "unknown",
      confidence: 0,
      layerScores,
      minScore: settings.minScore,
      evidence,
      ...ownPart,
    };
  return {
    layer: top,
    confidence: round((best * best) / total),
    layerScores,
    minScore: settings.minScore,
    evidence,
    ...ownPart,
  };
}

function compareEvidence(a: ScoredEvidence, b: ScoredEvidence): number {
  return (
    b.score - a.score ||
    b.strength - a.strength ||
    // Of equally strong evidence, what started first is the likelier root cause.
    (b.leadMs ?? -Infinity) - (a.leadMs ?? -Infinity) ||
    LAYERS.indexOf(a.observation.layer) - LAYERS.indexOf(b.observation.layer) ||
    a.observation.monitor.localeCompare(b.observation.monitor) ||
    labelsText(a.observation.labels).localeCompare(labelsText(b.observation.labels))
  );
}

function explain(e: Omit<ScoredEvidence, "explanation">, signalStrength: number): string {
  const z = e.peak ? peakText(e.peak) : "no baseline";
  const source = e.firing && e.strength > signalStrength ? "its alert is firing" : z;
  const when =
    e.leadMs === undefined
      ? "no change"
      : e.leadMs >= 0
        ? `${formatAge(e.leadMs)} before the alert`
        : `${formatAge(-e.leadMs)} after the alert`;
  const prior = e.observation.prior.reason ? ` (${e.observation.prior.reason})` : "";
  return `score ${formatNumber(e.score)} = strength ${formatNumber(e.strength)} (${source}) × precedence ${formatNumber(e.precedence)} (${when}) × locality ${formatNumber(e.localityWeight)} (${describeEntity(e.observation.locality)}) × prior ${formatNumber(e.prior)}${prior}`;
}

/** The peak as evidence: its z-score, or the non-finite value itself (a NaN is not a z). */
export function peakText(peak: { readonly v: number; readonly z: number }): string {
  return Number.isFinite(peak.v) ? formatZ(peak.z) : `a ${formatNumber(peak.v)} value`;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** `12m`, `40s`, `1h5m`: how long, to the second. */
export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ""}`;
  if (m > 0) return `${m}m${sec > 0 ? `${sec}s` : ""}`;
  return `${sec}s`;
}
