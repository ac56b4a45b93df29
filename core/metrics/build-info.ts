import client from "prom-client";
import type { MetricsRegistry } from "./metrics-registry.js";

/** `aiwatch_build_info{version, nodejs_version, component} 1`, the Prometheus convention. */
export function registerBuildInfo(
  metrics: MetricsRegistry,
  component: string,
  version: string,
): void {
  const gauge = new client.Gauge({
    name: "aiwatch_build_info",
    help: "A metric with a constant '1' value labelled by version and Node.js version.",
    labelNames: ["component", "version", "nodejs_version"],
    registers: metrics.registers,
  });
  gauge.set({ component, version, nodejs_version: process.version }, 1);
}
