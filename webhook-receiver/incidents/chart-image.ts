import type { SendContext } from "../destinations/destination.js";
import type { ChartPngRenderer } from "./chart-png.js";
import { mainChart } from "./incident-link.js";

/** Alt text stays within every platform's limit (Slack's is 2,000 characters). */
const MAX_ALT = 200;

/**
 * The main chart of the first incident in a message, as a URL the platform fetches
 * itself (Slack's image block, Discord's embed image, a Teams card's Image): set only when
 * the receiver has an external URL and the incident has a chart.
 */
export function chartImageUrl(context: SendContext): { url: string; alt: string } | undefined {
  for (const group of context.groups) {
    const url = group.incident?.chartUrl;
    const chart = mainChart(group.enrichment?.evidence);
    if (url !== undefined && chart) return { url, alt: altText(chart.title) };
  }
  return undefined;
}

/** The main chart as PNG bytes, for e-mail (an inline attachment needs no reachable URL). */
export async function chartImagePng(
  context: SendContext,
  renderer: ChartPngRenderer,
): Promise<{ png: Buffer; alt: string } | undefined> {
  for (const group of context.groups) {
    const chart = mainChart(group.enrichment?.evidence);
    if (chart) return { png: await renderer.render(chart), alt: altText(chart.title) };
  }
  return undefined;
}

function altText(title: string): string {
  const text = `Chart: ${title}`;
  return Array.from(text).slice(0, MAX_ALT).join("");
}
