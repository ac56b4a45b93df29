import client from "prom-client";
import type { OpenMetricsContentType, PrometheusContentType, Registry } from "prom-client";
import { textToOpenMetrics } from "./text-to-open-metrics.js";

/** The OpenMetrics rendering of a process's registry: what /metrics needs of it. */
export interface OpenMetricsView {
  readonly contentType: OpenMetricsContentType;
  metrics(): Promise<string>;
}

/**
 * A process's own metrics: one prom-client registry, rendered as Prometheus text or as
 * OpenMetrics so /metrics can answer either format. One per process, passed down; never
 * prom-client's global registry.
 */
export interface MetricsRegistry {
  readonly text: Registry<PrometheusContentType>;
  /** The same metrics as `text`, converted on render (see `textToOpenMetrics` for why). */
  readonly openMetrics: OpenMetricsView;
  /** Pass as `registers` when creating a prom-client metric. */
  readonly registers: Registry<PrometheusContentType>[];
}

export function createMetricsRegistry(): MetricsRegistry {
  const text = new client.Registry<PrometheusContentType>();
  const openMetrics: OpenMetricsView = {
    contentType: client.Registry.OPENMETRICS_CONTENT_TYPE,
    metrics: async () => textToOpenMetrics(await text.metrics()),
  };
  return { text, openMetrics, registers: [text] };
}

/** Picks the exposition format from an Accept header, as Prometheus's scraper negotiates it. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}
