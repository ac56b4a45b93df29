import type { ReceiverConfig } from "../config/receiver-config.js";
import { incidentChartUrl, incidentUrl, mainChart } from "../incidents/incident-link.js";
import type { IncidentLink } from "../render/render-context.js";
import type { Enrichment } from "./enrichment.js";

/**
 * The incident page a routed notification links to, when the receiver has an external
 * URL (`web.external_url`); with a chart link when the evidence has a chart to draw.
 */
export function incidentLinkOf(
  config: () => ReceiverConfig,
): (
  incident: { id: number; token: string },
  enrichment: Enrichment | undefined,
) => IncidentLink | undefined {
  return (incident, enrichment) => {
    const base = config().externalUrl;
    if (base === undefined) return undefined;
    return {
      url: incidentUrl(base, incident.id, incident.token),
      ...(mainChart(enrichment?.evidence)
        ? { chartUrl: incidentChartUrl(base, incident.id, incident.token) }
        : {}),
    };
  };
}
