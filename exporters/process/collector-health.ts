import client from "prom-client";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import type { SeriesLimit } from "../exposition/series-budget.js";

/**
 * How a collector reports on itself. Reasons are short fixed words (`timeout`,
 * `not_found`, `exit_status`, `parse_error`, `permission_denied`, ...): they are label
 * values, so they must stay few.
 */
export interface CollectorHealth {
  /** A collection (or poll, or ingest batch) worked. */
  succeeded(durationMs: number): void;
  /** A collection failed: the collector is down until the next success. */
  failed(reason: string, durationMs?: number): void;
  /** Input records refused (bad values, unknown fields, over budget), counted by reason. */
  rejected(reason: string, count?: number): void;
}

/** The exporter's self-metrics about its collectors, shared by all of them. */
export class CollectorHealthMetrics {
  private readonly up: client.Gauge<"collector">;
  private readonly duration: client.Gauge<"collector">;
  private readonly lastSuccess: client.Gauge<"collector">;
  private readonly errors: client.Counter<"collector" | "reason">;
  private readonly rejectedRecords: client.Counter<"collector" | "reason">;
  private readonly dropped: client.Counter<"family" | "budget">;

  constructor(metrics: MetricsRegistry) {
    const registers = metrics.registers;
    this.up = new client.Gauge({
      name: "aiwatch_exporter_collector_up",
      help: "1 if the collector's last collection succeeded, 0 if it failed.",
      labelNames: ["collector"],
      registers,
    });
    this.duration = new client.Gauge({
      name: "aiwatch_exporter_collector_duration_seconds",
      help: "Duration of the collector's last collection.",
      labelNames: ["collector"],
      registers,
    });
    this.lastSuccess = new client.Gauge({
      name: "aiwatch_exporter_collector_last_success_timestamp_seconds",
      help: "When the collector last collected successfully.",
      labelNames: ["collector"],
      registers,
    });
    this.errors = new client.Counter({
      name: "aiwatch_exporter_collector_errors_total",
      help: "Failed collections by collector and reason.",
      labelNames: ["collector", "reason"],
      registers,
    });
    this.rejectedRecords = new client.Counter({
      name: "aiwatch_exporter_rejected_records_total",
      help: "Input records refused, by collector and reason.",
      labelNames: ["collector", "reason"],
      registers,
    });
    this.dropped = new client.Counter({
      name: "aiwatch_exporter_series_dropped_total",
      help: "New series refused by a cardinality budget: the family's own (limits.max_series_per_family) or the total (limits.max_series).",
      labelNames: ["family", "budget"],
      registers,
    });
  }

  forCollector(collector: string, now: () => number): CollectorHealth {
    this.up.set({ collector }, 0);
    return {
      succeeded: (durationMs) => {
        this.up.set({ collector }, 1);
        this.duration.set({ collector }, durationMs / 1000);
        this.lastSuccess.set({ collector }, now() / 1000);
      },
      failed: (reason, durationMs) => {
        this.up.set({ collector }, 0);
        if (durationMs !== undefined) this.duration.set({ collector }, durationMs / 1000);
        this.errors.inc({ collector, reason });
      },
      rejected: (reason, count = 1) => this.rejectedRecords.inc({ collector, reason }, count),
    };
  }

  seriesDropped(family: string, budget: SeriesLimit): void {
    this.dropped.inc({ family, budget });
  }

  /** A stopped collector's series disappear instead of reporting stale health. */
  forget(collector: string): void {
    this.up.remove({ collector });
    this.duration.remove({ collector });
    this.lastSuccess.remove({ collector });
  }
}
