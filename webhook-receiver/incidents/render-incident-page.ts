import type { Alert, Notification } from "../payload/notification.js";
import type { Enrichment } from "../pipeline/enrichment.js";
import { durationText, httpLink, httpUrl, page, text, timeTag } from "./html.js";
import { plural } from "../render/plural.js";
import { summarizeHistory } from "./incident-history.js";
import { incidentState } from "./incident-state.js";
import type { IncidentState } from "./incident-state.js";
import type { EvidenceItem, IncidentEvidence } from "./incident-evidence.js";
import type { IncidentNotification, IncidentRow } from "./incident-store.js";
import type { TimelineEvent } from "./incident-timeline.js";
import { renderChartSvg } from "./svg-chart.js";

export interface IncidentPageData {
  readonly incident: IncidentRow;
  readonly notifications: readonly IncidentNotification[];
  readonly enrichment: Enrichment | undefined;
  readonly timeline: readonly TimelineEvent[];
  /** Whether the timeline's records reached their limits (only the newest are shown). */
  readonly timelineCut?: boolean;
  readonly history: readonly IncidentRow[];
  readonly now: number;
  /** Where the list and other incidents are (behind the receiver's auth). */
  readonly basePath: string;
}

/** Alerts shown in full; a larger group lists the rest by count. */
const MAX_ALERTS = 100;
const HIDDEN_LABELS = new Set(["alertname"]);

/**
 * The incident page: what fired and its state, the probable cause and how it was scored,
 * every evidence item with its chart, the group's timeline and the alert's history. Pure:
 * the same records give the same page; every string from a payload is escaped.
 */
export function renderIncidentPage(data: IncidentPageData): string {
  const { incident } = data;
  const latest = data.notifications[data.notifications.length - 1]?.notification;
  const state = incidentState(incident);
  const sections = [
    header(data, latest, state),
    verdictSection(data.enrichment),
    evidenceSection(data.enrichment?.evidence),
    scoringSection(data.enrichment?.evidence),
    alertsSection(data.notifications, latest, data.now),
    timelineSection(data.timeline, data.timelineCut === true),
    historySection(data),
  ];
  return page(`${incident.alertname} — incident #${incident.id}`, sections.join("\n"));
}

function header(
  data: IncidentPageData,
  latest: Notification | undefined,
  state: IncidentState,
): string {
  const { incident } = data;
  const end = incident.closedAt ?? data.now;
  const groupLabels = latest ? latest.groupLabels : {};
  return `<nav class="noprint"><a href="${text(data.basePath)}">All incidents</a></nav>
<h1>${text(incident.alertname)} <span class="state state-${state}">${state.toUpperCase()}</span></h1>
<p class="muted">Incident #${incident.id} · receiver <code>${text(incident.receiver)}</code> · started ${timeTag(incident.startedAt)} · ${state === "firing" ? `firing for ${durationText(end - incident.startedAt)}` : `${state} ${timeTag(end)} after ${durationText(end - incident.startedAt)}`} · ${plural(incident.notifications, "notification")}</p>
${labelList(groupLabels, new Set())}`;
}

function verdictSection(enrichment: Enrichment | undefined): string {
  if (!enrichment)
    return `<h2>Probable cause</h2>
<p class="verdict muted">No root-cause analysis for this incident: enrichment is not configured for it, or its evidence has not arrived.</p>`;
  const evidence = enrichment.evidence;
  // The evidence and the alert's signal are drawn below; the rest (siblings, actions,
  // what could not be read) is listed as the message listed it.
  const details = evidence
    ? enrichment.details.filter(
        (d) => !d.label.startsWith("Evidence ") && d.label !== "Alert signal",
      )
    : enrichment.details;
  return `<h2>Probable cause</h2>
<div class="verdict" data-verdict="${text(evidence?.verdict.layer ?? "")}"><strong>${text(enrichment.headline)}</strong></div>
${
  details.length > 0
    ? `<ul>${details
        .map(
          (d) =>
            `<li>${text(d.label)}: ${text(d.text)}${[
              ...(d.url ? [{ label: "details", url: d.url }] : []),
              ...(d.links ?? []),
            ]
              .map((l) => ` · ${httpLink(l.label, l.url)}`)
              .join("")}</li>`,
        )
        .join("\n")}</ul>`
    : ""
}`;
}

function scoringSection(evidence: IncidentEvidence | undefined): string {
  return evidence
    ? `<h2>How it was scored</h2>
<p>Each candidate's score = strength (how far its signal left its own baseline, robust z) × precedence (1 when it changed before the alert's onset) × locality (same GPU &gt; node &gt; workload &gt; cluster) × prior (known causes, such as XID codes). A layer's score combines its evidence; the best layer needs at least ${fmt(evidence.verdict.minScore)} for a verdict.</p>
<div class="scroll"><table><thead><tr><th>Layer</th><th class="num">Score</th></tr></thead><tbody>
${Object.entries(evidence.verdict.layerScores)
  .sort(([, a], [, b]) => b - a)
  .map(
    ([layer, score]) =>
      `<tr><td>${text(layer)}${layer === evidence.verdict.layer ? " (verdict)" : ""}</td><td class="num">${fmt(score)}</td></tr>`,
  )
  .join("\n")}
</tbody></table></div>
<p>Verdict: <strong>${text(evidence.verdict.layer)}</strong>, confidence ${fmt(evidence.verdict.confidence)}.${evidence.ownCause ? ` The alert's own signal (${text(evidence.ownCause.monitor)}) is a known cause: ${text(evidence.ownCause.explanation)}.` : ""}</p>`
    : "";
}

function alertsSection(
  notifications: readonly IncidentNotification[],
  latest: Notification | undefined,
  now: number,
): string {
  // Each alert as last reported (a later notification supersedes an earlier one).
  const byFingerprint = new Map<string, Alert>();
  for (const { notification } of notifications)
    for (const alert of notification.alerts) byFingerprint.set(alert.fingerprint, alert);
  const alerts = [...byFingerprint.values()].sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === "firing" ? -1 : 1) ||
      a.startsAt.localeCompare(b.startsAt),
  );
  const links = latest ? groupLinks(latest) : "";
  const shown = alerts.slice(0, MAX_ALERTS).map((alert) => alertBlock(alert, now));
  const more = alerts.length - shown.length;
  return `<h2>Alerts (${alerts.length})</h2>
${links ? `<p class="noprint">${links}</p>` : ""}
${shown.join("\n")}
${more > 0 ? `<p class="muted">+${plural(more, "more alert")} in this group</p>` : ""}`;
}

function alertBlock(alert: Alert, now: number): string {
  const start = Date.parse(alert.startsAt);
  const end = alert.endsAt ? Date.parse(alert.endsAt) : undefined;
  const severity = alert.labels["severity"];
  const annotations = Object.keys(alert.annotations)
    .filter((name) => name !== "runbook_url")
    .sort()
    .map(
      (name) =>
        `<dt>${text(name)}</dt><dd class="annotation">${text(alert.annotations[name] ?? "")}</dd>`,
    )
    .join("");
  const runbook = alert.annotations["runbook_url"];
  const links = [
    runbook !== undefined ? httpLink("Runbook", runbook) : "",
    alert.generatorURL !== undefined ? httpLink("Source", alert.generatorURL) : "",
  ].filter((l) => l !== "");
  return `<div class="alert" data-alert="${text(alert.fingerprint)}">
<p><span class="state state-${alert.status}">${alert.status.toUpperCase()}</span> <strong>${text(alert.labels["alertname"] ?? "(no alertname)")}</strong>${severity !== undefined ? ` · severity <strong>${text(severity)}</strong>` : ""} · since ${timeTag(start)}${end !== undefined ? ` · ended ${timeTag(end)} (${durationText(end - start)})` : ` (${durationText(now - start)})`}</p>
${labelList(alert.labels, HIDDEN_LABELS)}
${annotations ? `<dl>${annotations}</dl>` : ""}
${links.length > 0 ? `<p>${links.join(" · ")}</p>` : ""}
</div>`;
}

function evidenceSection(evidence: IncidentEvidence | undefined): string {
  if (!evidence)
    return `<h2>Evidence</h2>
<p class="muted">No evidence was captured for this incident.</p>`;
  const signal = evidence.signal;
  const items = evidence.evidence.filter((e) => e.chart !== undefined || e.score > 0);
  const rest = evidence.evidence.filter((e) => e.chart === undefined && e.score === 0);
  return `<h2>Evidence</h2>
<p class="muted">Read ${timeTag(evidence.capturedAt)} from ${timeTag(evidence.window.startMs)} to ${timeTag(evidence.window.endMs)} (step ${durationText(evidence.window.stepMs)}); the onset (${timeTag(evidence.window.onsetMs)}) is marked on every chart. Related monitors checked: ${evidence.checked.length > 0 ? evidence.checked.map((c) => `<code>${text(c)}</code>`).join(", ") : "none"}.</p>
${signal ? `<figure class="chart" data-evidence="signal">${renderChartSvg(signal)}</figure>` : ""}
${items.map((item, i) => evidenceItem(item, i + 1, evidence)).join("\n")}
${
  rest.length > 0
    ? `<h3>Also checked (no change)</h3><div class="scroll"><table><thead><tr><th>Monitor</th><th>Labels</th><th class="hide-narrow">Where</th><th class="num">Score</th></tr></thead><tbody>${rest
        .map(
          (e) =>
            `<tr><td>${text(e.monitor)}</td><td>${labelList(e.labels, new Set())}</td><td class="hide-narrow">${text(e.where)}</td><td class="num">${fmt(e.score)}</td></tr>`,
        )
        .join("")}</tbody></table></div>`
    : ""
}
${evidence.notes.length > 0 ? `<h3>Not read</h3><ul>${evidence.notes.map((n) => `<li>${text(n)}</li>`).join("")}</ul>` : ""}`;
}

function evidenceItem(item: EvidenceItem, rank: number, evidence: IncidentEvidence): string {
  const chart = item.chart !== undefined ? evidence.charts[item.chart] : undefined;
  const lead =
    item.leadMs === undefined
      ? ""
      : item.leadMs >= 0
        ? `, changed ${durationText(item.leadMs)} before the onset`
        : `, changed ${durationText(-item.leadMs)} after the onset`;
  return `<section class="chart" data-evidence="${text(item.monitor)}">
<h3>#${rank} ${text(item.monitor)} <span class="muted">(${text(item.layer)} layer, ${text(item.where)}${item.firing ? ", its alert is firing" : ""}${lead})</span></h3>
${labelList(item.labels, new Set())}
<p><strong>score ${fmt(item.score)}</strong>: ${text(item.explanation.replace(/^score [^=]*= /, ""))}</p>
${chart ? renderChartSvg(chart) : ""}
</section>`;
}

function timelineSection(timeline: readonly TimelineEvent[], cut: boolean): string {
  return `<h2>Timeline</h2>
${cut ? `<p class="muted" data-timeline="cut">A long incident: only its newest notifications, sends and actions are shown.</p>\n` : ""}<ol class="timeline">
${timeline.map((e) => `<li class="ev-${e.kind}" data-event="${e.kind}">${timeTag(e.at)} — ${text(e.text)}</li>`).join("\n")}
</ol>`;
}

function historySection(data: IncidentPageData): string {
  const summary = summarizeHistory(data.incident, data.history);
  const rows = data.history
    .map((h) => {
      const state = incidentState(h);
      const end = h.closedAt;
      return `<tr><td><a href="${text(`${data.basePath}/${h.id}`)}">#${h.id}</a></td><td>${timeTag(h.startedAt)}</td><td>${end !== undefined ? timeTag(end) : "still open"}</td><td class="num">${end !== undefined && state === "resolved" ? durationText(end - h.startedAt) : "—"}</td><td class="num hide-narrow">${h.notifications}</td></tr>`;
    })
    .join("\n");
  return `<h2>History</h2>
<p data-history="summary">${plural(summary.occurrences - 1, "previous occurrence")} of this alert with the same labels · flapping: ${plural(summary.flaps, "re-fire")} within an hour of ending · ${summary.medianResolveMs !== undefined ? `median time to resolve ${durationText(summary.medianResolveMs)} (${summary.resolved} resolved)` : "none resolved yet"}</p>
${
  data.history.length > 0
    ? `<div class="scroll"><table><thead><tr><th>Incident</th><th>Started</th><th>Ended</th><th class="num">Time to resolve</th><th class="num hide-narrow">Notifications</th></tr></thead><tbody>
${rows}
</tbody></table></div>`
    : ""
}`;
}

function labelList(labels: Readonly<Record<string, string>>, hidden: ReadonlySet<string>): string {
  const names = Object.keys(labels)
    .filter((n) => !hidden.has(n))
    .sort();
  if (names.length === 0) return "";
  return `<p class="labels">${names.map((n) => `<span>${text(n)}=${text(labels[n] ?? "")}</span>`).join(" ")}</p>`;
}

/**
 * Alertmanager's silence form pre-filled with the group's labels and its alert list, at
 * the URL Alertmanager itself reported (the payload's externalURL), http(s) only.
 */
function groupLinks(n: Notification): string {
  const base = httpUrl(n.externalURL);
  if (base === undefined) return "";
  const root = base.replace(/\/+$/, "");
  const labels = Object.keys(n.groupLabels).length > 0 ? n.groupLabels : n.commonLabels;
  const filter = `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k] ?? "")}`)
    .join(",")}}`;
  return [
    httpLink("Silence this group", `${root}/#/silences/new?filter=${encodeURIComponent(filter)}`),
    httpLink("Alertmanager", `${root}/#/alerts?receiver=${encodeURIComponent(n.receiver)}`),
  ].join(" · ");
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(3)));
}
