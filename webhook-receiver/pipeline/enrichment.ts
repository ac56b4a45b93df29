import type { IncidentEvidence } from "../incidents/incident-evidence.js";
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
  /** The series the verdict was read from, kept for the incident page (never sent). */
  readonly evidence?: IncidentEvidence;
}

export interface EnrichmentDetail {
  readonly label: string;
  readonly text: string;
  readonly url?: string;
  /** Further links, e.g. the evidence's query in Prometheus and in Grafana. */
  readonly links?: readonly { readonly label: string; readonly url: string }[];
}

/** What the enrich stage tells an enricher about the notification it enriches. */
export interface EnrichmentContext {
  /** The stored notification's id. */
  readonly notificationId: number;
  /** When the stage stops waiting (epoch milliseconds); `signal` aborts then. */
  readonly deadlineAt: number;
  /**
   * Queues a follow-up message to wherever the notification goes, once it has been routed:
   * for evidence that arrives after the deadline.
   */
  followUp(enrichment: Enrichment): void;
}

/**
 * The enrich stage. `undefined` means "no enrichment". It must answer by the deadline
 * (`signal` aborts then); work that goes on after it may only report through
 * `context.followUp`.
 */
export interface Enricher {
  enrich(
    notification: Notification,
    signal: AbortSignal,
    context: EnrichmentContext,
  ): Promise<Enrichment | undefined>;
  /**
   * Whether `enrich` would do anything with this notification under the config in force.
   * The routing stage keeps a notification's payload until its batch only when it would
   * (or when the enricher does not say).
   */
  wants?(notification: Notification): boolean;
  /** Stops background work (the receiver is shutting down). */
  close?(): void;
}

/** The default: no enrichment, at no cost. */
export const NO_ENRICHMENT: Enricher = {
  enrich: () => Promise.resolve(undefined),
  wants: () => false,
};
