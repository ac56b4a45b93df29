import client from "prom-client";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";

export type RejectReason =
  | "unauthorized"
  | "invalid_json"
  | "body_too_large"
  | "unsupported_media_type"
  | "invalid_payload"
  | "unsupported_version"
  | "limit_exceeded"
  | "storage_unavailable";

/** Which endpoint refused a request: the alerts webhook, the admin API or /-/reload. */
export type RejectEndpoint = "alerts" | "dead_letters" | "replay" | "reload" | "incidents";

export interface OutboxSnapshot {
  readonly pending: ReadonlyMap<string, number>;
  readonly dead: ReadonlyMap<string, number>;
  readonly oldestPendingSeconds: ReadonlyMap<string, number>;
}

/** What `aiwatch_receiver_storage_errors_total` counts failures of. */
export const STORAGE_OPERATIONS = [
  "accept",
  "route",
  "incident",
  "follow_up",
  "read_outbox",
  "prune",
] as const;

/**
 * The receiver's own metrics. Destinations appear by their configured *name*, never by
 * URL: the URL holds the token. Outbox gauges are read from the store at scrape time,
 * so they are right even for work another process (`aiwatch receiver replay`) queued.
 */
export class ReceiverMetrics {
  readonly notifications: client.Counter<"result">;
  readonly rejected: client.Counter<"reason" | "endpoint">;
  readonly limitRefusals: client.Counter<"limit">;
  readonly acceptDuration: client.Histogram;
  readonly deliveries: client.Counter<"destination" | "type" | "outcome">;
  readonly deliveryDuration: client.Histogram<"destination" | "type">;
  readonly digests: client.Counter<"destination">;
  readonly coalesced: client.Counter<"destination">;
  readonly trimmed: client.Counter<"destination">;
  readonly splits: client.Counter<"destination">;
  readonly templateFallbacks: client.Counter<"destination">;
  readonly enrichmentFailures: client.Counter;
  readonly storageErrors: client.Counter<"operation">;
  readonly replayed: client.Counter;

  constructor(
    metrics: MetricsRegistry,
    snapshot: () => Promise<OutboxSnapshot>,
    destinations: () => readonly string[],
  ) {
    const registers = metrics.registers;
    this.notifications = new client.Counter({
      name: "aiwatch_receiver_notifications_total",
      help: "Alertmanager notifications received, by result (accepted, duplicate, rejected).",
      labelNames: ["result"],
      registers,
    });
    this.rejected = new client.Counter({
      name: "aiwatch_receiver_requests_rejected_total",
      help: "Requests refused, by reason and endpoint (alerts, dead_letters, replay, reload, incidents).",
      labelNames: ["reason", "endpoint"],
      registers,
    });
    this.limitRefusals = new client.Counter({
      name: "aiwatch_receiver_payload_limit_refusals_total",
      help: "Webhooks refused with 413 because they exceed a limit of receiver.yaml's limits:, by limit.",
      labelNames: ["limit"],
      registers,
    });
    this.acceptDuration = new client.Histogram({
      name: "aiwatch_receiver_accept_duration_seconds",
      help: "Time from request body parsed to the notification committed to storage.",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.deliveries = new client.Counter({
      name: "aiwatch_receiver_delivery_attempts_total",
      help: "Delivery attempts by destination and outcome (delivered, retry, resize, permanent, dead_letter).",
      labelNames: ["destination", "type", "outcome"],
      registers,
    });
    this.deliveryDuration = new client.Histogram({
      name: "aiwatch_receiver_delivery_duration_seconds",
      help: "Duration of one send attempt to a destination.",
      labelNames: ["destination", "type"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.digests = new client.Counter({
      name: "aiwatch_receiver_digests_total",
      help: "Digest messages sent instead of a backlog of single messages.",
      labelNames: ["destination"],
      registers,
    });
    this.coalesced = new client.Counter({
      name: "aiwatch_receiver_coalesced_notifications_total",
      help: "Notifications delivered inside a digest.",
      labelNames: ["destination"],
      registers,
    });
    this.trimmed = new client.Counter({
      name: "aiwatch_receiver_messages_trimmed_total",
      help: "Messages trimmed to the platform's size limit (alerts left out as +N more).",
      labelNames: ["destination"],
      registers,
    });
    this.splits = new client.Counter({
      name: "aiwatch_receiver_messages_split_total",
      help: "Notifications split into several messages because the rate budget allowed it.",
      labelNames: ["destination"],
      registers,
    });
    this.templateFallbacks = new client.Counter({
      name: "aiwatch_receiver_template_fallbacks_total",
      help: "Messages rendered with the built-in template because the configured one failed.",
      labelNames: ["destination"],
      registers,
    });
    this.enrichmentFailures = new client.Counter({
      name: "aiwatch_receiver_enrichment_failures_total",
      help: "Enrichments that failed or timed out; the message is sent without them.",
      registers,
    });
    this.storageErrors = new client.Counter({
      name: "aiwatch_receiver_storage_errors_total",
      help: "Storage operations that failed, by operation.",
      labelNames: ["operation"],
      registers,
    });
    // Exposed at 0 from the start: increase() cannot see a series' first sample as a rise,
    // so AiwatchReceiverStorageFailing would miss the first error of an operation.
    for (const operation of STORAGE_OPERATIONS) this.storageErrors.inc({ operation }, 0);
    this.replayed = new client.Counter({
      name: "aiwatch_receiver_dead_letters_replayed_total",
      help: "Dead letters put back in the outbox.",
      registers,
    });
    const gauges = [
      [
        "aiwatch_receiver_outbox_pending_messages",
        "Deliveries waiting in the outbox, by destination.",
        "pending",
      ],
      [
        "aiwatch_receiver_dead_letters",
        "Deliveries in the dead-letter state, by destination.",
        "dead",
      ],
      [
        "aiwatch_receiver_outbox_oldest_pending_age_seconds",
        "Age of the oldest pending delivery, by destination.",
        "oldestPendingSeconds",
      ],
    ] as const;
    for (const [name, help, key] of gauges) {
      new client.Gauge({
        name,
        help,
        labelNames: ["destination"],
        registers,
        async collect() {
          let values: ReadonlyMap<string, number>;
          try {
            values = (await snapshot())[key];
          } catch {
            return;
          }
          this.reset();
          for (const destination of destinations())
            this.set({ destination }, values.get(destination) ?? 0);
        },
      });
    }
    for (const result of ["accepted", "duplicate", "rejected"])
      this.notifications.inc({ result }, 0);
  }
}
