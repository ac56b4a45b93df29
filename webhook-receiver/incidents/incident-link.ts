import type { EvidenceChart, IncidentEvidence } from "./incident-evidence.js";

export const INCIDENTS_PATH = "/incidents";

/**
 * An incident's link as messages carry it: the receiver's external URL, the incident's
 * number and its capability token (`key`), which opens that one page without the
 * receiver's credentials.
 */
export function incidentUrl(externalUrl: string, id: number, token: string): string {
  return `${externalUrl.replace(/\/+$/, "")}${INCIDENTS_PATH}/${id}?key=${token}`;
}

/** The PNG of the incident's main chart, under the same capability. */
export function incidentChartUrl(externalUrl: string, id: number, token: string): string {
  return `${externalUrl.replace(/\/+$/, "")}${INCIDENTS_PATH}/${id}/chart.png?key=${token}`;
}

/** The chart a message shows: the alert's own signal, else the strongest evidence's. */
export function mainChart(evidence: IncidentEvidence | undefined): EvidenceChart | undefined {
  if (!evidence) return undefined;
  if (evidence.signal) return evidence.signal;
  const top = evidence.evidence.find((e) => e.chart !== undefined);
  return top?.chart !== undefined ? evidence.charts[top.chart] : undefined;
}
