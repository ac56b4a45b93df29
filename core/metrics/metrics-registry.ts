import client from "prom-client";
import type { OpenMetricsContentType, PrometheusContentType, Registry } from "prom-client";

/**
 * A process's own metrics, registered in a Prometheus-text registry and an OpenMetrics
 * registry so /metrics can answer either format (prom-client fixes a registry's format at
 * construction). One per process, passed down; never prom-client's global registry.
 */
export interface MetricsRegistry {
  readonly text: Registry<PrometheusContentType>;
  readonly openMetrics: Registry<OpenMetricsContentType>;
  /** Pass as `registers` when creating a prom-client metric. */
  readonly registers: (Registry<PrometheusContentType> | Registry<OpenMetricsContentType>)[];
}

export function createMetricsRegistry(): MetricsRegistry {
  const text = new client.Registry<PrometheusContentType>();
  const openMetrics = new client.Registry<OpenMetricsContentType>();
  openMetrics.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
  return { text, openMetrics, registers: [text, openMetrics] };
}

/** Picks the exposition format from an Accept header, as Prometheus's scraper negotiates it. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}
