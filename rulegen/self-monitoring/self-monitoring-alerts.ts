import type { Severity } from "../../spec/model/monitor.js";

/** A series promtool feeds a self-monitoring test, sampled every minute. */
export interface ScenarioSeries {
  readonly series: string;
  readonly values: string;
}

/**
 * An alert on aiwatch itself, with the promtool scenario that proves it: series that
 * must make it fire beside series that must not, and what fires at `evalAtMs`.
 */
export interface SelfMonitoringAlert {
  readonly alert: string;
  readonly expr: string;
  readonly forMs: number;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
  readonly scenario: {
    readonly inputs: readonly ScenarioSeries[];
    /** When to check; rounded up to the evaluation interval. */
    readonly evalAtMs: number;
    readonly fires: readonly {
      readonly labels: Readonly<Record<string, string>>;
      readonly value: number;
    }[];
  };
}

const MINUTE = 60_000;
const EXPORTER = { job: "aiwatch-exporter", instance: "exporter:9401" };
const EXPORTER_2 = { job: "aiwatch-exporter", instance: "exporter-2:9401" };
const RECEIVER = { job: "aiwatch-receiver", instance: "receiver:9095" };
const BUILD = { version: "0.1.0", nodejs_version: "v20.19.0" };

function series(name: string, labels: Readonly<Record<string, string>>): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  return `${name}{${text}}`;
}

/**
 * The alerts, built on the metric names the exporter and the receiver expose
 * (exporters/process/collector-health.ts, exporters/process/run-exporter.ts,
 * webhook-receiver/server/receiver-metrics.ts, core/server/config-reloader.ts,
 * core/metrics/build-info.ts). Each has a runbook in docs/self-monitoring.md under a
 * heading with its name. Gauges are alerted on as they are, so every target label
 * (namespace, pod) reaches the alert; counters through increase() or rate(), which keep them.
 */
export const SELF_MONITORING_ALERTS: readonly SelfMonitoringAlert[] = [
  {
    alert: "AiwatchCollectorDown",
    expr: "aiwatch_exporter_collector_up == 0",
    forMs: 5 * MINUTE,
    severity: "warning",
    summary: "Collector {{ $labels.collector }} on {{ $labels.instance }} is failing",
    description:
      'The {{ $labels.collector }} collector of {{ $labels.instance }} has failed every collection for 5 minutes: its metrics are missing or stale, and the monitors that read them cannot fire. aiwatch_exporter_collector_errors_total{collector="{{ $labels.collector }}"} gives the reason; the exporter\'s log has the details.',
    scenario: {
      inputs: [
        {
          series: series("aiwatch_exporter_collector_up", { ...EXPORTER, collector: "gpu" }),
          values: "0x45",
        },
        {
          series: series("aiwatch_exporter_collector_up", { ...EXPORTER, collector: "training" }),
          values: "1x45",
        },
      ],
      evalAtMs: 8 * MINUTE,
      fires: [{ labels: { ...EXPORTER, collector: "gpu" }, value: 0 }],
    },
  },
  {
    alert: "AiwatchTargetDown",
    // `up` says a scrape failed; aiwatch_build_info, as last seen within a day, says the
    // target is an aiwatch process and which component it is. Only while another process
    // of the same job still answers: when none does, AiwatchComponentDown says so once.
    // A warning: Prometheus' own `up` alerting (kube-prometheus' TargetDown) pages for a
    // target down; this one adds what the loss means for aiwatch.
    expr: "(up == 0) * on (job, instance) group_left (component) max by (job, instance, component) (max_over_time(aiwatch_build_info[1d])) and on (job) max by (job) (aiwatch_build_info)",
    forMs: 10 * MINUTE,
    severity: "warning",
    summary: "aiwatch {{ $labels.component }} at {{ $labels.instance }} cannot be scraped",
    description:
      "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for 10 minutes while other processes of the job still answer: the metrics that process collected are missing (for a GPU collector, that node's GPUs), and the monitors that read them cannot fire there.",
    scenario: {
      inputs: [
        { series: series("up", EXPORTER), values: "1x45" },
        {
          series: series("aiwatch_build_info", { ...EXPORTER, ...BUILD, component: "exporter" }),
          values: "1x45",
        },
        { series: series("up", EXPORTER_2), values: "1x4 0x40" },
        {
          series: series("aiwatch_build_info", { ...EXPORTER_2, ...BUILD, component: "exporter" }),
          values: "1x4 _x40",
        },
        // The only receiver: AiwatchComponentDown's, not this alert's.
        { series: series("up", RECEIVER), values: "1x4 0x40" },
        {
          series: series("aiwatch_build_info", {
            ...RECEIVER,
            ...BUILD,
            component: "webhook-receiver",
          }),
          values: "1x4 _x40",
        },
        // Not an aiwatch process: someone else's alert.
        { series: series("up", { job: "node", instance: "node:9100" }), values: "0x45" },
      ],
      evalAtMs: 18 * MINUTE,
      fires: [{ labels: { ...EXPORTER_2, component: "exporter" }, value: 0 }],
    },
  },
  {
    alert: "AiwatchComponentDown",
    // A job that had aiwatch processes in the last day and has none answering now: all
    // down, or gone from service discovery, where `up` has no series to alert on.
    expr: "max by (job, component) (max_over_time(aiwatch_build_info[1d])) unless on (job, component) max by (job, component) (aiwatch_build_info)",
    forMs: 5 * MINUTE,
    severity: "critical",
    summary: "No aiwatch {{ $labels.component }} of job {{ $labels.job }} is answering",
    description:
      "No process of job {{ $labels.job }} ({{ $labels.component }}) has been scraped for 5 minutes, though it had one in the last day: every one is down, or its targets are gone (a Deployment scaled to 0, pods that never became ready). If it is the webhook-receiver, Alertmanager's notifications are not reaching chat; if it is an exporter, the monitors that read its metrics cannot fire.",
    scenario: {
      inputs: [
        { series: series("up", RECEIVER), values: "1x4 0x40" },
        {
          series: series("aiwatch_build_info", {
            ...RECEIVER,
            ...BUILD,
            component: "webhook-receiver",
          }),
          values: "1x4 _x40",
        },
        // One exporter of two is down: the job still answers.
        {
          series: series("aiwatch_build_info", { ...EXPORTER, ...BUILD, component: "exporter" }),
          values: "1x45",
        },
        {
          series: series("aiwatch_build_info", { ...EXPORTER_2, ...BUILD, component: "exporter" }),
          values: "1x4 _x40",
        },
      ],
      evalAtMs: 18 * MINUTE,
      fires: [{ labels: { job: RECEIVER.job, component: "webhook-receiver" }, value: 1 }],
    },
  },
  {
    alert: "AiwatchDeliveriesFailing",
    expr: 'sum without (outcome) (rate(aiwatch_receiver_delivery_attempts_total{outcome=~"retry|permanent"}[15m])) / sum without (outcome) (rate(aiwatch_receiver_delivery_attempts_total{outcome=~"delivered|retry|resize|permanent"}[15m])) > 0.1',
    forMs: 10 * MINUTE,
    severity: "warning",
    summary: "{{ $value | humanizePercentage }} of deliveries to {{ $labels.destination }} fail",
    description:
      "For 10 minutes more than 10% of the send attempts to destination {{ $labels.destination }} ({{ $labels.type }}) on {{ $labels.instance }} failed. Messages wait in the outbox and are retried; those that keep failing become dead letters. `aiwatch receiver dead-letters` and the receiver's log show the platform's answers.",
    scenario: {
      inputs: [
        {
          series: series("aiwatch_receiver_delivery_attempts_total", {
            ...RECEIVER,
            destination: "ml-slack",
            type: "slack",
            outcome: "delivered",
          }),
          values: "0+1x45",
        },
        {
          series: series("aiwatch_receiver_delivery_attempts_total", {
            ...RECEIVER,
            destination: "ml-slack",
            type: "slack",
            outcome: "retry",
          }),
          values: "0+1x45",
        },
        {
          series: series("aiwatch_receiver_delivery_attempts_total", {
            ...RECEIVER,
            destination: "oncall-teams",
            type: "teams",
            outcome: "delivered",
          }),
          values: "0+1x45",
        },
        {
          series: series("aiwatch_receiver_delivery_attempts_total", {
            ...RECEIVER,
            destination: "oncall-teams",
            type: "teams",
            outcome: "retry",
          }),
          values: "0x45",
        },
      ],
      evalAtMs: 28 * MINUTE,
      fires: [{ labels: { ...RECEIVER, destination: "ml-slack", type: "slack" }, value: 0.5 }],
    },
  },
  {
    alert: "AiwatchDeadLetters",
    expr: "aiwatch_receiver_dead_letters > 0",
    forMs: 5 * MINUTE,
    severity: "warning",
    summary:
      "Messages for {{ $labels.destination }} could not be delivered (dead letters: {{ $value }})",
    description:
      "{{ $labels.instance }} holds dead letters for destination {{ $labels.destination }} ({{ $value }} now): messages it gave up on after their retries or a permanent error. They are not sent unless replayed: `aiwatch receiver dead-letters` lists them with the last error, `aiwatch receiver replay` sends them again once the cause is fixed.",
    scenario: {
      inputs: [
        {
          series: series("aiwatch_receiver_dead_letters", { ...RECEIVER, destination: "ml-slack" }),
          values: "0x4 3x40",
        },
        {
          series: series("aiwatch_receiver_dead_letters", {
            ...RECEIVER,
            destination: "oncall-teams",
          }),
          values: "0x45",
        },
      ],
      evalAtMs: 13 * MINUTE,
      fires: [{ labels: { ...RECEIVER, destination: "ml-slack" }, value: 3 }],
    },
  },
  {
    alert: "AiwatchOutboxBacklogOld",
    expr: "aiwatch_receiver_outbox_oldest_pending_age_seconds > 600",
    forMs: 5 * MINUTE,
    severity: "warning",
    summary: "Messages to {{ $labels.destination }} are {{ $value | humanizeDuration }} late",
    description:
      "The oldest message waiting in {{ $labels.instance }}'s outbox for destination {{ $labels.destination }} was accepted {{ $value | humanizeDuration }} ago: deliveries are retrying, paused by the platform's rate limit, or stuck. Alerts reach chat that late.",
    scenario: {
      inputs: [
        {
          series: series("aiwatch_receiver_outbox_oldest_pending_age_seconds", {
            ...RECEIVER,
            destination: "ml-slack",
          }),
          values: "1200x45",
        },
        {
          series: series("aiwatch_receiver_outbox_oldest_pending_age_seconds", {
            ...RECEIVER,
            destination: "oncall-teams",
          }),
          values: "5x45",
        },
      ],
      evalAtMs: 8 * MINUTE,
      fires: [{ labels: { ...RECEIVER, destination: "ml-slack" }, value: 1200 }],
    },
  },
  {
    alert: "AiwatchExporterRequestsRefused",
    expr: "increase(aiwatch_exporter_rejected_requests_total[10m]) > 0",
    forMs: 10 * MINUTE,
    severity: "warning",
    summary:
      "{{ $labels.instance }} keeps refusing requests to {{ $labels.endpoint }} ({{ $labels.reason }})",
    description:
      "For 10 minutes {{ $labels.instance }} has refused requests to {{ $labels.endpoint }} before any collector saw them, for {{ $labels.reason }}: a trainer or service with the wrong token, an oversized or malformed body. What they sent is lost.",
    scenario: {
      inputs: [
        {
          series: series("aiwatch_exporter_rejected_requests_total", {
            ...EXPORTER,
            endpoint: "/api/v1/training/events",
            reason: "invalid_credentials",
          }),
          values: "0+2x45",
        },
        {
          series: series("aiwatch_exporter_rejected_requests_total", {
            ...EXPORTER,
            endpoint: "/api/v1/training/events",
            reason: "body_too_large",
          }),
          values: "5x45",
        },
      ],
      evalAtMs: 23 * MINUTE,
      fires: [
        {
          labels: {
            ...EXPORTER,
            endpoint: "/api/v1/training/events",
            reason: "invalid_credentials",
          },
          value: 20,
        },
      ],
    },
  },
  {
    alert: "AiwatchExporterRecordsRejected",
    expr: "increase(aiwatch_exporter_rejected_records_total[10m]) > 0",
    forMs: 10 * MINUTE,
    severity: "warning",
    summary: "The {{ $labels.collector }} collector keeps rejecting records ({{ $labels.reason }})",
    description:
      "For 10 minutes the {{ $labels.collector }} collector of {{ $labels.instance }} has rejected input records for {{ $labels.reason }}: bad values, unknown fields or records over budget. They are not in the metrics; the exporter's log names the first bad record of each kind.",
    scenario: {
      inputs: [
        {
          series: series("aiwatch_exporter_rejected_records_total", {
            ...EXPORTER,
            collector: "training",
            reason: "invalid_record",
          }),
          values: "0+3x45",
        },
        {
          series: series("aiwatch_exporter_rejected_records_total", {
            ...EXPORTER,
            collector: "drift",
            reason: "unknown_feature",
          }),
          values: "7x45",
        },
      ],
      evalAtMs: 23 * MINUTE,
      fires: [
        { labels: { ...EXPORTER, collector: "training", reason: "invalid_record" }, value: 30 },
      ],
    },
  },
  {
    alert: "AiwatchReceiverNotificationsRefused",
    expr: 'increase(aiwatch_receiver_requests_rejected_total{endpoint="alerts",reason!="storage_unavailable"}[10m]) > 0',
    forMs: 10 * MINUTE,
    severity: "critical",
    summary:
      "{{ $labels.instance }} keeps refusing Alertmanager's notifications ({{ $labels.reason }})",
    description:
      "For 10 minutes {{ $labels.instance }} has refused webhooks on /api/v1/alerts for {{ $labels.reason }}: Alertmanager's credentials, payload size or version do not match the receiver's config. Alertmanager does not retry these, so those alerts never reach chat.",
    scenario: {
      inputs: [
        {
          series: series("aiwatch_receiver_requests_rejected_total", {
            ...RECEIVER,
            endpoint: "alerts",
            reason: "unauthorized",
          }),
          values: "0+1x45",
        },
        {
          series: series("aiwatch_receiver_requests_rejected_total", {
            ...RECEIVER,
            endpoint: "dead_letters",
            reason: "unauthorized",
          }),
          values: "0+1x45",
        },
        {
          series: series("aiwatch_receiver_requests_rejected_total", {
            ...RECEIVER,
            endpoint: "alerts",
            reason: "storage_unavailable",
          }),
          values: "0+1x45",
        },
      ],
      evalAtMs: 23 * MINUTE,
      fires: [{ labels: { ...RECEIVER, endpoint: "alerts", reason: "unauthorized" }, value: 10 }],
    },
  },
  {
    alert: "AiwatchReceiverStorageFailing",
    expr: "increase(aiwatch_receiver_storage_errors_total[5m]) > 0",
    forMs: 0,
    severity: "critical",
    summary: "{{ $labels.instance }} cannot write its store ({{ $labels.operation }})",
    description:
      "Storage operations of {{ $labels.instance }} failed in the last 5 minutes ({{ $labels.operation }}). While accepts fail, Alertmanager gets 503 and retries; while routing or delivery records fail, messages wait. Check the disk (full, read-only) and the receiver's log.",
    scenario: {
      inputs: [
        {
          series: series("aiwatch_receiver_storage_errors_total", {
            ...RECEIVER,
            operation: "accept",
          }),
          values: "0+1x45",
        },
        {
          series: series("aiwatch_receiver_storage_errors_total", {
            ...RECEIVER,
            operation: "prune",
          }),
          values: "0x45",
        },
      ],
      evalAtMs: 10 * MINUTE,
      fires: [{ labels: { ...RECEIVER, operation: "accept" }, value: 5 }],
    },
  },
  {
    alert: "AiwatchConfigReloadFailed",
    expr: "aiwatch_config_last_reload_successful == 0",
    forMs: 10 * MINUTE,
    severity: "warning",
    summary: "{{ $labels.instance }} refused its new configuration",
    description:
      "The last configuration reload of {{ $labels.instance }} (job {{ $labels.job }}) failed 10 or more minutes ago: it keeps running the previous configuration, so the change you made is not in effect. `aiwatch exporter --check` or `aiwatch receiver check` names the problem with its line and column.",
    scenario: {
      inputs: [
        { series: series("aiwatch_config_last_reload_successful", EXPORTER), values: "0x45" },
        { series: series("aiwatch_config_last_reload_successful", RECEIVER), values: "1x45" },
      ],
      evalAtMs: 13 * MINUTE,
      fires: [{ labels: EXPORTER, value: 0 }],
    },
  },
];
