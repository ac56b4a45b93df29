import client from "prom-client";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";

/** `aiwatch_receiver_enrichment_*`: how the root-cause analysis is doing. */
export class EnrichmentMetrics {
  readonly results: client.Counter<"result">;
  readonly analyses: client.Counter<"result">;
  readonly analysisDuration: client.Histogram;
  readonly queries: client.Counter<"source" | "outcome">;
  readonly queryDuration: client.Histogram<"source">;
  readonly verdicts: client.Counter<"verdict">;
  readonly followUps: client.Counter;
  readonly cacheHits: client.Counter;
  readonly inFlight: client.Gauge;

  constructor(metrics: MetricsRegistry) {
    const registers = metrics.registers;
    this.results = new client.Counter({
      name: "aiwatch_receiver_enrichment_notifications_total",
      help: "Notifications by what the analysis gave them in time (enriched, not_enriched).",
      labelNames: ["result"],
      registers,
    });
    this.analyses = new client.Counter({
      name: "aiwatch_receiver_enrichment_analyses_total",
      help: "Analyses by result (complete; gave_up when the evidence never arrived).",
      labelNames: ["result"],
      registers,
    });
    this.analysisDuration = new client.Histogram({
      name: "aiwatch_receiver_enrichment_analysis_duration_seconds",
      help: "Time from the start of an analysis to its verdict (successful attempts).",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.queries = new client.Counter({
      name: "aiwatch_receiver_enrichment_queries_total",
      help: "Requests to evidence sources by source (prometheus, alertmanager) and outcome (ok, error).",
      labelNames: ["source", "outcome"],
      registers,
    });
    this.queryDuration = new client.Histogram({
      name: "aiwatch_receiver_enrichment_query_duration_seconds",
      help: "Duration of one request to an evidence source.",
      labelNames: ["source"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.verdicts = new client.Counter({
      name: "aiwatch_receiver_enrichment_verdicts_total",
      help: "Verdicts reached, by layer (data, model, environment, unknown).",
      labelNames: ["verdict"],
      registers,
    });
    this.followUps = new client.Counter({
      name: "aiwatch_receiver_enrichment_follow_ups_total",
      help: "Follow-up messages queued with evidence that missed a notification's deadline.",
      registers,
    });
    this.cacheHits = new client.Counter({
      name: "aiwatch_receiver_enrichment_cache_hits_total",
      help: "Notifications that reused the analysis of their group (same earliest alert).",
      registers,
    });
    this.inFlight = new client.Gauge({
      name: "aiwatch_receiver_enrichment_analyses_in_flight",
      help: "Analyses gathering evidence right now (including those retrying for a follow-up).",
      registers,
    });
    for (const result of ["enriched", "not_enriched"]) this.results.inc({ result }, 0);
    for (const result of ["complete", "gave_up"]) this.analyses.inc({ result }, 0);
  }
}
