import type { ActionOutcome } from "../actions/action-config.js";
import type { Enrichment, EnrichmentDetail } from "../pipeline/enrichment.js";
import type { AlertUnderAnalysis, GatheredEvidence, SignalView } from "./gather-evidence.js";
import { queryLinks } from "./links.js";
import type { LinkTargets } from "./links.js";
import { formatNumber, formatQuantity } from "./quantity.js";
import { formatAge, peakText } from "./scoring.js";
import type { ScoredEvidence, Verdict } from "./scoring.js";
import { actionData, analysisData } from "./analysis-data.js";
import { labelsText } from "./series.js";
import { sparkline } from "./sparkline.js";
import { describeEntity } from "./topology.js";

/** One finished analysis: what was read and what it says. */
export interface Analysis {
  readonly target: AlertUnderAnalysis;
  readonly evidence: GatheredEvidence;
  readonly verdict: Verdict;
}

/** Evidence rows shown in a message (all of them are in `data`). */
const SHOWN_EVIDENCE = 3;
const SHOWN_SIBLINGS = 5;
const SPARK_WIDTH = 20;
const HIDDEN_LABELS = new Set(["monitor", "layer", "severity", "alertname", "__name__"]);

/**
 * The analysis as an enrichment: the verdict as the headline, then the evidence (numbers,
 * a sparkline, links to the query over the exact window), the alert's own signal, other
 * alerts firing on the same GPU, node or workload, and the actions taken. `data` carries
 * all of it as JSON for the generic webhook.
 */
export function renderAnalysis(
  analysis: Analysis,
  links: LinkTargets,
  actions: readonly ActionOutcome[] | undefined,
): Enrichment {
  const { evidence: gathered, verdict } = analysis;
  const { startMs, endMs } = gathered.window;
  const shown = verdict.evidence.filter((e) => e.score > 0).slice(0, SHOWN_EVIDENCE);
  const details: EnrichmentDetail[] = [];
  const own = verdict.ownCause;
  if (own)
    details.push({
      label: `Own signal (${own.layer})`,
      text: `${own.monitor}${labelsSuffix(own.labels)}: the alert's own signal is a known cause — ${own.explanation}`,
      ...linksOf(gathered.signal?.query, links, startMs, endMs, false),
    });
  details.push(
    ...shown.map((e, i) => ({
      label: `Evidence ${i + 1} (${e.observation.layer})`,
      text: evidenceText(e),
      ...linksOf(e.observation.query, links, startMs, endMs, i === 0),
    })),
  );
  const signal = gathered.signal;
  if (signal)
    details.push({
      label: "Alert signal",
      text: `${labelsText(signal.labels, HIDDEN_LABELS) || signal.query} ${signalSummary(signal, gathered.window.stepMs)} ${sparkline(
        signal.samples.map((s) => s.v),
        SPARK_WIDTH,
      )}`,
      ...linksOf(signal.query, links, startMs, endMs, true),
    });
  if (gathered.siblings.length > 0)
    details.push({
      label: "Also firing",
      text: gathered.siblings
        .slice(0, SHOWN_SIBLINGS)
        .map(
          (s) =>
            `${s.alertName} (${describeEntity(s.match)}, ${relative(analysisOnset(analysis) - s.startsAt)})`,
        )
        .join("; ")
        .concat(
          gathered.siblings.length > SHOWN_SIBLINGS
            ? `; +${gathered.siblings.length - SHOWN_SIBLINGS} more`
            : "",
        ),
    });
  details.push(...actionDetails(actions));
  for (const note of gathered.notes.slice(0, 2)) details.push({ label: "Not read", text: note });
  return { headline: headline(analysis), details, data: analysisData(analysis, links, actions) };
}

/** The enrichment of a message sent before the evidence arrived. */
export function notEnrichedEnrichment(reason: string, deadlineMs: number): Enrichment {
  return {
    headline: `Not enriched: the evidence did not arrive within ${formatAge(deadlineMs)} (${reason}); an update follows when it does`,
    details: [],
    data: { enriched: false, reason },
  };
}

/** Actions alone, when no analysis is configured. */
export function actionsEnrichment(actions: readonly ActionOutcome[]): Enrichment | undefined {
  if (actions.length === 0) return undefined;
  return {
    headline: `Automated actions: ${actions.map((a) => `${a.action} ${resultWord(a)}`).join(", ")}`,
    details: actionDetails(actions),
    data: { enriched: false, actions: actions.map(actionData) },
  };
}

function headline(analysis: Analysis): string {
  const { verdict, evidence } = analysis;
  const top = verdict.evidence[0];
  const own = verdict.ownCause;
  // The alert's own signal is the verdict's basis when its layer won and nothing outscored it.
  if (own && verdict.layer === own.layer && (!top || own.score >= top.score))
    return `Probable cause: ${verdict.layer} (confidence ${formatNumber(verdict.confidence)}) — ${own.prior.reason ?? "a known cause"} on${labelsSuffix(own.labels) || " its own series"} (the alert's own signal, ${own.monitor})`;
  if (verdict.layer !== "unknown" && top) {
    const o = top.observation;
    const labels = labelsText(o.labels, HIDDEN_LABELS);
    const reason = o.prior.reason ? ` (${o.prior.reason})` : "";
    const when = top.leadMs !== undefined ? `, ${relative(top.leadMs)}` : "";
    return `Probable cause: ${verdict.layer} (confidence ${formatNumber(verdict.confidence)}) — ${o.monitor}${labels ? ` ${labels}` : ""}${reason}${when}`;
  }
  if (!analysis.target.monitor)
    return evidence.siblings.length > 0
      ? `Probable cause: unknown — not an aiwatch alert; ${evidence.siblings.length === 1 ? "1 other alert fires" : `${evidence.siblings.length} other alerts fire`} on the same workload, none with a known layer before it`
      : "Probable cause: unknown — not an aiwatch alert, and nothing else fires on the same workload";
  if (evidence.checked.length === 0 && evidence.observations.length === 0)
    return `Probable cause: unknown — ${analysis.target.monitor.name} has no related monitors in the spec and nothing else fires on the same workload`;
  if (top && top.score > 0)
    return `Probable cause: unknown — the best evidence (${top.observation.monitor}, score ${formatNumber(top.score)}) is below the ${formatNumber(verdict.minScore)} a verdict needs`;
  const linked = evidence.checked.filter((name) => !evidence.unlinked.includes(name));
  const read = [
    ...(linked.length > 0 ? [`checked ${linked.join(", ")}`] : []),
    ...(evidence.unlinked.length > 0
      ? [
          `not linked to this alert: ${evidence.unlinked.join(", ")} (no shared GPU, node, pod, run, job, model or declared label)`,
        ]
      : []),
  ];
  return `Probable cause: unknown — no related signal changed before the alert (${read.join("; ") || "checked sibling alerts"})`;
}

function labelsSuffix(labels: Readonly<Record<string, string>>): string {
  const text = labelsText(labels, HIDDEN_LABELS);
  return text ? ` ${text}` : "";
}

function evidenceText(e: ScoredEvidence): string {
  const o = e.observation;
  const labels = labelsText(o.labels, HIDDEN_LABELS);
  const values = o.values.map((s) => s.v);
  let change = "no baseline";
  if (e.baseline && e.peak) {
    const events = sumAfter(e);
    change =
      o.valueKind === "gauge"
        ? `${formatQuantity(e.baseline.median, o.unit)} → ${formatQuantity(e.peak.v, o.unit)} (${peakText(e.peak)})`
        : o.valueKind === "counter"
          ? `counter increased by ${formatQuantity(events, o.unit)} (${peakText(e.peak)})`
          : `changed to a new code ${events === 1 ? "once" : `${formatNumber(events)} times`} (${peakText(e.peak)})`;
  }
  const firing = e.firing ? ", its alert is firing" : "";
  const when = e.leadMs === undefined ? "" : `, ${relative(e.leadMs)}`;
  const spark = values.length > 0 ? ` ${sparkline(values, SPARK_WIDTH)}` : "";
  return `${o.monitor}${labels ? ` ${labels}` : ""}: ${change}${firing}${when}${spark} — ${e.explanation}`;
}

/** Events from when the change started on. */
function sumAfter(e: ScoredEvidence): number {
  const from = e.startedAt ?? e.peak?.t ?? Infinity;
  return e.observation.values.filter((s) => s.t >= from).reduce((a, s) => a + s.v, 0);
}

function relative(leadMs: number): string {
  return leadMs >= 0
    ? `started ${formatAge(leadMs)} before the alert`
    : `started ${formatAge(-leadMs)} after the alert`;
}

function analysisOnset(analysis: Analysis): number {
  return analysis.evidence.window.onsetMs;
}

/**
 * The alert's own signal in words, as the sparkline beside it draws it: a level from its
 * first to its last value, NaN and infinities included (a loss that ended NaN reads "→
 * NaN", not as the last finite value); a counter as its increase per step, said so, with
 * the total over the window (the linked graph shows the counters themselves); a ratio or
 * burn rate the alert compares, named as its view names it ("ratio over 1h: 95% → 85%").
 */
export function signalSummary(signal: SignalView, stepMs: number): string {
  const values = signal.samples.map((s) => s.v);
  const first = values[0];
  const last = values[values.length - 1];
  if (first === undefined || last === undefined) return "(no data)";
  const finite = values.filter(Number.isFinite);
  const perStep = signal.valueKind === "counter" || signal.valueKind === "event_code";
  // A counter's increases are in its unit (bytes a step); code changes are a count.
  const unit = signal.valueKind === "event_code" ? undefined : signal.unit;
  const notes: string[] = [];
  const max = values.includes(Infinity) ? Infinity : Math.max(...finite);
  if (finite.length > 0 || max === Infinity) notes.push(`max ${formatQuantity(max, unit)}`);
  if (perStep)
    notes.push(
      `${formatQuantity(
        finite.reduce((a, v) => a + v, 0),
        unit,
      )} over the window`,
    );
  const nan = values.filter(Number.isNaN).length;
  const inf = values.length - finite.length - nan;
  if (nan > 0) notes.push(`${nan} of ${values.length} values NaN`);
  if (inf > 0) notes.push(`${inf} of ${values.length} values infinite`);
  const range = `${formatQuantity(first, unit)} → ${formatQuantity(last, unit)} (${notes.join("; ")})`;
  // A ratio or burn rate says which (the alert compares it, not the counter it comes from).
  if (!perStep) return signal.what !== undefined ? `${signal.what}: ${range}` : range;
  const what = signal.valueKind === "counter" ? "increase" : "code changes";
  return `${what} per ${formatAge(stepMs)}: ${range}`;
}

function linksOf(
  query: string | undefined,
  targets: LinkTargets,
  startMs: number,
  endMs: number,
  withGrafana: boolean,
): Pick<EnrichmentDetail, "links"> {
  if (query === undefined) return {};
  const all = queryLinks(targets, query, startMs, endMs);
  return { links: withGrafana ? all : all.slice(0, 1) };
}

function actionDetails(actions: readonly ActionOutcome[] | undefined): EnrichmentDetail[] {
  return (actions ?? []).map((a) => ({
    label: `Action ${a.action}`,
    text: `${resultWord(a)}: ${a.detail}`,
  }));
}

function resultWord(a: ActionOutcome): string {
  switch (a.result) {
    case "called":
      return "done";
    case "failed":
      return "failed";
    case "dry_run":
      return "dry run";
    case "rate_limited":
      return "rate limited";
    case "cooldown":
      return "already done for this group";
    case "pending":
      return "in progress";
  }
}
