import type { PanelPlan, RowPlan } from "../plan/dashboard-plan.js";
import type { GpuSources } from "../plan/gpu-sources.js";
import { COUNT } from "../plan/units.js";

const GPU = 'instance=~"$node", uuid=~"$gpu"';
const LEGEND = "{{instance}} GPU {{gpu}}";

/**
 * XID events of each code in each interval, counting a code's first event. The per-code
 * counter is born at 1 with that first event, so increase() (which needs two samples)
 * never sees it. Here a code's count is compared with its count one interval before,
 * or with 0 where the code had none yet but the GPU was already watched (its all-codes
 * counter, which exists from 0, was there): a first XID shows as 1, while the codes an
 * exporter finds in the kernel log when it (re)starts are not shown as new.
 * test/dashboards/first-events.test.ts proves both with promtool.
 */
export function xidEventsQuery(matchers: string, interval: string): string {
  const perCode = `aiwatch_gpu_xid_errors_total{${matchers}}`;
  const watched = `aiwatch_gpu_xid_events_total{${matchers}} offset ${interval}`;
  return `${perCode} - (${perCode} offset ${interval} or (${perCode} * 0 and ignoring(xid) ${watched}))`;
}

/** aiwatch's GPU collector: utilisation, memory, heat, power, throttling and error events. */
const AIWATCH_ROWS: readonly RowPlan[] = [
  {
    title: "Load",
    panels: [
      {
        title: "Utilisation",
        kind: "timeseries",
        unit: "percentunit",
        queries: [{ expr: `aiwatch_gpu_utilization_ratio{${GPU}}`, legend: LEGEND }],
      },
      {
        title: "Memory used of total",
        kind: "timeseries",
        unit: "bytes",
        queries: [
          { expr: `aiwatch_gpu_memory_used_bytes{${GPU}}`, legend: `${LEGEND} used` },
          { expr: `aiwatch_gpu_memory_total_bytes{${GPU}}`, legend: `${LEGEND} total` },
        ],
      },
      {
        title: "Temperature",
        kind: "timeseries",
        unit: "celsius",
        queries: [{ expr: `aiwatch_gpu_temperature_celsius{${GPU}}`, legend: LEGEND }],
      },
      {
        title: "Power draw and limit",
        kind: "timeseries",
        unit: "watt",
        queries: [
          { expr: `aiwatch_gpu_power_draw_watts{${GPU}}`, legend: `${LEGEND} draw` },
          { expr: `aiwatch_gpu_power_limit_watts{${GPU}}`, legend: `${LEGEND} limit` },
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
        unit: "bool_on_off",
        queries: [
          {
            expr: `aiwatch_gpu_clock_event_reason_active{${GPU}} == 1`,
            legend: `${LEGEND} {{reason}}`,
          },
        ],
      },
      {
        title: "Clocks",
        kind: "timeseries",
        unit: "hertz",
        queries: [{ expr: `aiwatch_gpu_clock_hertz{${GPU}}`, legend: `${LEGEND} {{clock}}` }],
      },
      {
        title: "XID events",
        description:
          "XID errors per code in each interval; a code's first event counts (its counter is born at 1).",
        kind: "timeseries",
        unit: COUNT,
        queries: [
          { expr: xidEventsQuery(GPU, "$__rate_interval"), legend: `${LEGEND} XID {{xid}}` },
        ],
      },
      {
        title: "ECC errors (volatile)",
        kind: "timeseries",
        unit: COUNT,
        queries: [
          {
            expr: `increase(aiwatch_gpu_ecc_errors_total{${GPU}, counter_type="volatile"}[$__rate_interval])`,
            legend: `${LEGEND} {{error_type}}`,
          },
        ],
      },
      {
        title: "Remapped rows pending or failed",
        kind: "timeseries",
        unit: "bool_yes_no",
        queries: [
          {
            expr: `aiwatch_gpu_remapped_rows_pending{${GPU}} or aiwatch_gpu_remapped_rows_failure{${GPU}}`,
            legend: `{{__name__}} ${LEGEND}`,
          },
        ],
      },
    ],
  },
];

/**
 * The same panels on dcgm-exporter's names and units (MiB, MHz, %), converted to the
 * base units the aiwatch panels draw. Only fields of dcgm-exporter's default counters
 * (etc/default-counters.csv) are read, so the panels fill without configuration, except
 * where noted in a panel's description.
 */
function dcgmRows(hostLabel: string, prefix: string): RowPlan[] {
  const gpu = `${hostLabel}=~"$${prefix}node", UUID=~"$${prefix}gpu"`;
  const legend = `{{${hostLabel}}} GPU {{gpu}} {{GPU_I_PROFILE}}`;
  const panels = (list: PanelPlan[]): PanelPlan[] => list;
  return [
    {
      title: "Load (dcgm-exporter)",
      panels: panels([
        {
          title: "Utilisation",
          description: "Absent for GPUs in MIG mode, as dcgm-exporter reports it.",
          kind: "timeseries",
          unit: "percentunit",
          queries: [{ expr: `DCGM_FI_DEV_GPU_UTIL{${gpu}} / 100`, legend }],
        },
        {
          title: "Memory used of total",
          kind: "timeseries",
          unit: "bytes",
          queries: [
            { expr: `DCGM_FI_DEV_FB_USED{${gpu}} * 1048576`, legend: `${legend} used` },
            {
              expr: `(DCGM_FI_DEV_FB_USED{${gpu}} + DCGM_FI_DEV_FB_FREE{${gpu}}) * 1048576`,
              legend: `${legend} total`,
            },
          ],
        },
        {
          title: "Temperature",
          kind: "timeseries",
          unit: "celsius",
          queries: [{ expr: `DCGM_FI_DEV_GPU_TEMP{${gpu}}`, legend }],
        },
        {
          title: "Power draw",
          kind: "timeseries",
          unit: "watt",
          queries: [{ expr: `DCGM_FI_DEV_POWER_USAGE{${gpu}}`, legend }],
        },
      ]),
    },
    {
      title: "Throttling and errors (dcgm-exporter)",
      panels: panels([
        {
          title: "Thermal or power-brake slowdown",
          description:
            "Bits 0x20, 0x40, 0x80 of DCGM_FI_DEV_CLOCK_THROTTLE_REASONS (enable it in dcgm-exporter's counters file).",
          kind: "timeseries",
          unit: "bool_on_off",
          queries: [
            {
              expr: `floor(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{${gpu}} / 32) % 8 > bool 0`,
              legend,
            },
          ],
        },
        {
          title: "SM clock",
          kind: "timeseries",
          unit: "hertz",
          queries: [{ expr: `DCGM_FI_DEV_SM_CLOCK{${gpu}} * 1000000`, legend }],
        },
        {
          title: "Last XID code",
          description:
            "dcgm-exporter's DCGM_FI_DEV_XID_ERRORS holds the last XID code, 0 before any; a change is an event.",
          kind: "timeseries",
          unit: "none",
          queries: [{ expr: `DCGM_FI_DEV_XID_ERRORS{${gpu}}`, legend }],
        },
        {
          title: "Uncorrectable ECC errors (volatile)",
          description:
            "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL (enable it in dcgm-exporter's counters file).",
          kind: "timeseries",
          unit: COUNT,
          queries: [
            {
              expr: `increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{${gpu}}[$__rate_interval])`,
              legend,
            },
          ],
        },
        {
          title: "Row remap pending or failed",
          kind: "timeseries",
          unit: "bool_yes_no",
          queries: [
            {
              expr: `DCGM_FI_DEV_ROW_REMAP_PENDING{${gpu}} or DCGM_FI_DEV_ROW_REMAP_FAILURE{${gpu}}`,
              legend: `{{__name__}} ${legend}`,
            },
          ],
        },
      ]),
    },
  ];
}

/** The GPU dashboard's standard rows, on the exporter(s) the spec's GPU monitors read. */
export function gpuRows(sources: GpuSources): RowPlan[] {
  return [
    ...(sources.aiwatch ? AIWATCH_ROWS : []),
    ...(sources.dcgm ? dcgmRows(sources.dcgm.hostnameLabel, sources.aiwatch ? "dcgm_" : "") : []),
  ];
}
