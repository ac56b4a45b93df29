import type { Notification } from "../payload/notification.js";

/**
 * Extra context for a notification, gathered between persisting and routing: the verdict
 * and evidence of the root-cause analysis (issue 8) plug in here. Every built-in template
 * prints it first when present, and the generic webhook carries it as JSON, so a new
 * enricher needs no change in rendering or delivery.
 */
export interface Enrichment {
  /** One line shown before anything else, e.g. "Likely cause: data (feature drift on age)". */
  readonly headline: string;
  /** Supporting lines, most important first. */
  readonly details: readonly EnrichmentDetail[];
  /** Machine-readable form, passed through to the generic webhook as is. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface EnrichmentDetail {
  readonly label: string;
  readonly text: string;
  readonly url?: string;
}

/** The enrich stage. `undefined` means "no enrichment"; it must honour `signal`. */
export interface Enricher {
  enrich(notification: Notification, signal: AbortSignal): Promise<Enrichment | undefined>;
}

/** The default: no enrichment, at no cost. */
export const NO_ENRICHMENT: Enricher = {
  enrich: () => Promise.resolve(undefined),
};
