import { GPU_METRICS } from "../metrics/gpu-metrics.js";
import type { Labels, MetricDef, Sample } from "../metrics/metric-def.js";
import type { NotExported } from "../tools/field-reading.js";
import type { NvidiaDevice } from "./query-devices.js";
import { NVIDIA_SOURCE } from "./query-devices.js";
import { CLOCK_EVENT_REASON_BITS } from "./query-fields.js";

export interface DeviceSamples {
  readonly samples: Sample[];
  readonly notExported: NotExported[];
}

/** The `aiwatch_gpu_*` samples of the devices one `--query-gpu` answer describes. */
export function nvidiaDeviceSamples(devices: readonly NvidiaDevice[]): DeviceSamples {
  const samples: Sample[] = [];
  const notExported: NotExported[] = [];
  let deviceCount: number | undefined;
  for (const device of devices) {
    const base = { gpu: device.gpu, uuid: device.uuid };
    const infos = new Map<MetricDef, Record<string, string>>();
    const reasonsRead = new Set<string>();
    let activeMask: number | undefined;
    let supportedMask: number | undefined;
    for (const { spec, field, reading } of device.fields) {
      const target = spec.target;
      if (target.kind === "info" && !infos.has(target.metric)) infos.set(target.metric, {});
      if (reading.state === "absent" || reading.state === "invalid") {
        notExported.push({
          source: NVIDIA_SOURCE,
          field,
          reason: reading.state === "absent" ? reading.reason : "invalid",
        });
        continue;
      }
      switch (target.kind) {
        case "identity":
          break;
        case "device_count":
          if (reading.state === "value") deviceCount = reading.value;
          break;
        case "info":
          if (reading.state === "text")
            (infos.get(target.metric) ?? {})[target.label] = reading.text;
          break;
        case "metric": {
          const labels = { ...base, ...target.labels };
          if (target.stateLabel !== undefined && reading.state === "text")
            samples.push({
              def: target.metric,
              labels: { ...labels, [target.stateLabel]: reading.text },
              value: 1,
            });
          else if (reading.state === "value") {
            samples.push({ def: target.metric, labels, value: reading.value });
            if (target.metric === GPU_METRICS.clockEventReasonActive && target.labels?.["reason"])
              reasonsRead.add(target.labels["reason"]);
            if (target.metric === GPU_METRICS.clockEventReasonsActive) activeMask = reading.value;
            if (target.metric === GPU_METRICS.clockEventReasonsSupported)
              supportedMask = reading.value;
          }
          break;
        }
      }
    }
    for (const [metric, labels] of infos)
      samples.push({ def: metric, labels: infoLabels(metric, base, labels), value: 1 });
    samples.push(...reasonsFromBitmask(base, activeMask, supportedMask, reasonsRead));
  }
  if (devices.length > 0)
    samples.push({
      def: GPU_METRICS.devices,
      labels: { source: NVIDIA_SOURCE },
      value: deviceCount ?? devices.length,
    });
  return { samples, notExported };
}

function infoLabels(metric: MetricDef, base: Labels, set: Labels): Labels {
  const labels: Record<string, string> = { ...base };
  for (const name of metric.labelNames) if (!(name in labels)) labels[name] = set[name] ?? "";
  if (metric === GPU_METRICS.info) labels["vendor"] = "nvidia";
  return labels;
}

/**
 * Reasons the bitmask carries but no per-reason field reported (display_clock_setting
 * has no field of its own), decoded from the active mask when the GPU supports them.
 */
function reasonsFromBitmask(
  base: Labels,
  active: number | undefined,
  supported: number | undefined,
  alreadyRead: ReadonlySet<string>,
): Sample[] {
  if (active === undefined || supported === undefined) return [];
  return CLOCK_EVENT_REASON_BITS.filter(
    ([bit, reason]) => (supported & bit) !== 0 && !alreadyRead.has(reason),
  ).map(([bit, reason]) => ({
    def: GPU_METRICS.clockEventReasonActive,
    labels: { ...base, reason },
    value: (active & bit) !== 0 ? 1 : 0,
  }));
}
