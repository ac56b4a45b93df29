import type { RowPlan } from "../plan/dashboard-plan.js";

const GPU = 'instance=~"$node", uuid=~"$gpu"';

/** GPUs: utilisation, memory, heat, power, throttling and error events, by node and GPU. */
export const GPU_ROWS: readonly RowPlan[] = [
  {
    title: "Load",
    panels: [
      {
        title: "Utilisation",
        kind: "timeseries",
        unit: "percentunit",
        queries: [
          { expr: `aiwatch_gpu_utilization_ratio{${GPU}}`, legend: "{{instance}} GPU {{gpu}}" },
        ],
      },
      {
        title: "Memory used of total",
        kind: "timeseries",
        unit: "bytes",
        queries: [
          {
            expr: `aiwatch_gpu_memory_used_bytes{${GPU}}`,
            legend: "{{instance}} GPU {{gpu}} used",
          },
          {
            expr: `aiwatch_gpu_memory_total_bytes{${GPU}}`,
            legend: "{{instance}} GPU {{gpu}} total",
          },
        ],
      },
      {
        title: "Temperature",
        kind: "timeseries",
        unit: "celsius",
        queries: [
          { expr: `aiwatch_gpu_temperature_celsius{${GPU}}`, legend: "{{instance}} GPU {{gpu}}" },
        ],
      },
      {
        title: "Power draw and limit",
        kind: "timeseries",
        unit: "watt",
        queries: [
          { expr: `aiwatch_gpu_power_draw_watts{${GPU}}`, legend: "{{instance}} GPU {{gpu}} draw" },
          {
            expr: `aiwatch_gpu_power_limit_watts{${GPU}}`,
            legend: "{{instance}} GPU {{gpu}} limit",
          },
        ],
      },
    ],
  },
  {
    title: "Throttling and errors",
    panels: [
      {
        title: "Active clock event (throttle) reasons",
        kind: "timeseries",
        queries: [
          {
            expr: `aiwatch_gpu_clock_event_reason_active{${GPU}} == 1`,
            legend: "{{instance}} GPU {{gpu}} {{reason}}",
          },
        ],
      },
      {
        title: "Clocks",
        kind: "timeseries",
        unit: "hertz",
        queries: [
          { expr: `aiwatch_gpu_clock_hertz{${GPU}}`, legend: "{{instance}} GPU {{gpu}} {{clock}}" },
        ],
      },
      {
        title: "XID events",
        kind: "timeseries",
        queries: [
          {
            expr: `increase(aiwatch_gpu_xid_errors_total{${GPU}}[$__rate_interval])`,
            legend: "{{instance}} GPU {{gpu}} XID {{xid}}",
          },
        ],
      },
      {
        title: "ECC errors (volatile)",
        kind: "timeseries",
        queries: [
          {
            expr: `increase(aiwatch_gpu_ecc_errors_total{${GPU}, counter_type="volatile"}[$__rate_interval])`,
            legend: "{{instance}} GPU {{gpu}} {{error_type}}",
          },
        ],
      },
      {
        title: "Remapped rows pending or failed",
        kind: "timeseries",
        queries: [
          {
            expr: `aiwatch_gpu_remapped_rows_pending{${GPU}} or aiwatch_gpu_remapped_rows_failure{${GPU}}`,
            legend: "{{__name__}} {{instance}} GPU {{gpu}}",
          },
        ],
      },
    ],
  },
];
