import client from "prom-client";
import type { MetricsRegistry } from "./metrics-registry.js";

/**
 * prom-client's gauges named like counters: promtool check metrics refuses a `_total`
 * gauge, and each is the sum of its by-type twin (`nodejs_active_handles{type}`, ...),
 * so nothing is lost without them.
 */
const COUNTER_NAMED_GAUGES = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/**
 * The process_* and nodejs_* metrics every Prometheus client library exposes (CPU,
 * memory, open file descriptors, start time, event-loop lag, heap, GC), collected into
 * this process's registry, never prom-client's global one.
 */
export function registerProcessMetrics(metrics: MetricsRegistry): void {
  client.collectDefaultMetrics({ register: metrics.text });
  for (const name of COUNTER_NAMED_GAUGES) metrics.text.removeSingleMetric(name);
}
