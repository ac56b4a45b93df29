import { durationText, page, text, timeTag } from "./html.js";
import { incidentState } from "./incident-state.js";
import type { IncidentListEntry, NoisyAlert } from "./incident-store.js";

export interface IncidentListData {
  readonly incidents: readonly IncidentListEntry[];
  readonly noisiest: readonly NoisyAlert[];
  readonly noisiestDays: number;
  readonly now: number;
  readonly basePath: string;
}

/** The list at /incidents: the noisiest alerts of the last days, then the newest incidents. */
export function renderIncidentList(data: IncidentListData): string {
  const noisy =
    data.noisiest.length === 0
      ? `<p class="muted">No incidents in the last ${data.noisiestDays} days.</p>`
      : `<div class="scroll"><table data-table="noisiest"><thead><tr><th>Alert</th><th class="num">Incidents</th><th class="num">Notifications</th><th class="num hide-narrow">Time firing</th></tr></thead><tbody>
${data.noisiest
  .map(
    (n) =>
      `<tr><td>${text(n.alertname)}</td><td class="num">${n.incidents}</td><td class="num">${n.notifications}</td><td class="num hide-narrow">${durationText(n.firingMs)}</td></tr>`,
  )
  .join("\n")}
</tbody></table></div>`;
  const rows = data.incidents
    .map((i) => {
      const state = incidentState(i);
      const end = i.closedAt ?? data.now;
      return `<tr><td><a href="${text(`${data.basePath}/${i.id}`)}">#${i.id}</a></td><td><strong>${text(i.alertname)}</strong><br><span class="muted">${text(i.headline ?? "")}</span></td><td><span class="state state-${state}">${state.toUpperCase()}</span></td><td class="hide-narrow">${timeTag(i.startedAt)}</td><td class="num">${durationText(end - i.startedAt)}</td></tr>`;
    })
    .join("\n");
  return page(
    "Incidents",
    `<h1>Incidents</h1>
<h2>Noisiest alerts, last ${data.noisiestDays} days</h2>
${noisy}
<h2>Recent incidents</h2>
${
  data.incidents.length === 0
    ? `<p class="muted">No incidents yet.</p>`
    : `<div class="scroll"><table data-table="incidents"><thead><tr><th>Incident</th><th>Alert and probable cause</th><th>State</th><th class="hide-narrow">Started</th><th class="num">Duration</th></tr></thead><tbody>
${rows}
</tbody></table></div>`
}`,
  );
}
