import client from "prom-client";
import type { MetricsRegistry } from "./metrics-registry.js";

/**
 * The process_* and nodejs_* metrics every Prometheus client library exposes (CPU,
 * memory, open file descriptors, start time, event-loop lag, heap, GC), collected into
 * this process's registry, never prom-client's global one.
 */
export function registerProcessMetrics(metrics: MetricsRegistry): void {
  client.collectDefaultMetrics({ register: metrics.text });
}
