import { COUNT, PER_SECOND } from "../plan/units.js";
import type { Monitor } from "../../spec/model/monitor.js";
import type { PanelPlan, RowPlan } from "../plan/dashboard-plan.js";

const AIWATCH_ALERTS = 'ALERTS{alertstate="firing", monitor!=""}';

/** The first screen: what is firing by root-cause layer, and whether aiwatch itself is well. */
export function overviewRows(monitors: readonly Monitor[]): RowPlan[] {
  return [
    {
      title: "Alerts",
      panels: [
        {
          title: "Firing alerts by layer",
          kind: "stat",
          unit: COUNT,
          queries: [{ expr: `count by (layer) (${AIWATCH_ALERTS})`, legend: "{{layer}}" }],
        },
        {
          title: "Firing alerts by layer and severity",
          kind: "timeseries",
          unit: COUNT,
          queries: [
            {
              expr: `count by (layer, severity) (${AIWATCH_ALERTS})`,
              legend: "{{layer}} {{severity}}",
            },
          ],
        },
        {
          title: "Firing now",
          kind: "table",
          unit: "none",
          full: true,
          queries: [{ expr: AIWATCH_ALERTS, instant: true }],
        },
        monitorTable(monitors),
      ],
    },
    {
      title: "aiwatch health",
      panels: [
        {
          title: "Receiver: notifications by result",
          kind: "timeseries",
          unit: PER_SECOND,
          queries: [
            {
              expr: "sum by (result) (rate(aiwatch_receiver_notifications_total[$__rate_interval]))",
              legend: "{{result}}",
            },
          ],
        },
        {
          title: "Receiver: delivery attempts by outcome",
          kind: "timeseries",
          unit: PER_SECOND,
          queries: [
            {
              expr: "sum by (destination, outcome) (rate(aiwatch_receiver_delivery_attempts_total[$__rate_interval]))",
              legend: "{{destination}} {{outcome}}",
            },
          ],
        },
        {
          title: "Receiver: outbox and dead letters",
          kind: "timeseries",
          unit: COUNT,
          queries: [
            { expr: "sum(aiwatch_receiver_outbox_pending_messages)", legend: "pending messages" },
            {
              expr: "max(aiwatch_receiver_outbox_oldest_pending_age_seconds)",
              legend: "oldest pending (s)",
            },
            { expr: "sum(aiwatch_receiver_dead_letters)", legend: "dead letters" },
          ],
        },
        {
          title: "Receiver: accept latency p99",
          kind: "timeseries",
          unit: "s",
          queries: [
            {
              expr: "histogram_quantile(0.99, sum by (le) (rate(aiwatch_receiver_accept_duration_seconds_bucket[$__rate_interval])))",
              legend: "p99",
            },
          ],
        },
        {
          title: "Exporter collectors up",
          kind: "timeseries",
          unit: "bool_on_off",
          queries: [
            { expr: "aiwatch_exporter_collector_up", legend: "{{instance}} {{collector}}" },
          ],
        },
        {
          title: "Exporter: records refused and series dropped",
          kind: "timeseries",
          unit: PER_SECOND,
          queries: [
            {
              expr: "sum by (collector, reason) (rate(aiwatch_exporter_rejected_records_total[$__rate_interval]))",
              legend: "{{collector}} {{reason}}",
            },
            {
              expr: "sum by (family) (rate(aiwatch_exporter_series_dropped_total[$__rate_interval]))",
              legend: "dropped {{family}}",
            },
          ],
        },
      ],
    },
  ];
}

/** Every monitor of the spec, with its layer, detector and runbook. */
function monitorTable(monitors: readonly Monitor[]): PanelPlan {
  const lines = [
    "| monitor | alert | layer | detector | severity | runbook |",
    "|---|---|---|---|---|---|",
    ...monitors.map(
      (m) =>
        `| ${m.name} | ${m.alertName} | ${m.layer} | ${m.detector.type} | ${m.severity} | [runbook](${m.runbookUrl}) |`,
    ),
  ];
  return {
    title: "Monitors of the spec",
    kind: "text",
    full: true,
    content: lines.join("\n"),
  };
}
