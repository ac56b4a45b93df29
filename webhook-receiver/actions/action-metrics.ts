import client from "prom-client";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";

/** `aiwatch_receiver_actions_*`: what automated actions did. */
export class ActionMetrics {
  readonly outcomes: client.Counter<"action" | "mode" | "result">;
  readonly duration: client.Histogram<"action">;

  constructor(metrics: MetricsRegistry) {
    const registers = metrics.registers;
    this.outcomes = new client.Counter({
      name: "aiwatch_receiver_actions_total",
      help: "Automated actions by mode (live, dry_run) and result (called, failed, dry_run, rate_limited, cooldown).",
      labelNames: ["action", "mode", "result"],
      registers,
    });
    this.duration = new client.Histogram({
      name: "aiwatch_receiver_actions_duration_seconds",
      help: "Duration of a live action's HTTP call.",
      labelNames: ["action"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }
}
