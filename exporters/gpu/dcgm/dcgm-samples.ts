import type { MetricDef, Sample } from "../metrics/metric-def.js";
import { ownValue } from "../../../core/own-value.js";
import type { GpuInstance } from "../nvidia-smi/mig-samples.js";
import type { NvidiaDevice } from "../nvidia-smi/query-devices.js";
import type { LastXid } from "../xid/xid-tracker.js";
import { DCGM_FIELDS, DCGM_LABELS, DCGM_XID_FIELD } from "./dcgm-fields.js";

export interface DcgmOptions {
  /** dcgm-exporter's `Hostname` label: the node name. */
  readonly hostname: string;
  /**
   * dcgm-exporter's `modelName` label. promtool's linter flags it (camelCase), so it is
   * off unless a dashboard needs it.
   */
  readonly modelNameLabel: boolean;
}

export interface DcgmMetrics {
  readonly byField: ReadonlyMap<string, MetricDef>;
  readonly xid: MetricDef;
  readonly all: readonly MetricDef[];
}

/** The DCGM_FI_* families; counters become `untyped` (see dcgm-fields.ts). */
export function dcgmMetrics(modelNameLabel: boolean): DcgmMetrics {
  const labelNames = DCGM_LABELS.filter((label) => modelNameLabel || label !== "modelName");
  const def = (name: string, dcgmType: "gauge" | "counter", help: string): MetricDef => ({
    name,
    type: dcgmType === "counter" ? "untyped" : "gauge",
    help:
      dcgmType === "counter"
        ? `${help} (A counter; exposed untyped because the name does not end in _total.)`
        : help,
    labelNames,
  });
  const byField = new Map(
    DCGM_FIELDS.map((f) => [f.field, def(f.name, f.dcgmType, f.help)] as const),
  );
  const xid = def(DCGM_XID_FIELD.name, DCGM_XID_FIELD.dcgmType, DCGM_XID_FIELD.help);
  return { byField, xid, all: [...byField.values(), xid] };
}

/** nvidia-smi's memory query fields, by the `-q` key a MIG GPU instance prints them under. */
const GPU_INSTANCE_MEMORY: Readonly<Record<string, string>> = {
  "memory.total": "Total",
  "memory.reserved": "Reserved",
  "memory.used": "Used",
  "memory.free": "Free",
};

/**
 * dcgm-exporter-shaped samples of the NVIDIA GPUs: values in dcgm-exporter's units (as
 * nvidia-smi prints them), its label names, and the last XID per GPU once the kernel log
 * is readable. A GPU in MIG mode with GPU instances is reported as dcgm-exporter does by
 * default (`--devices f`, internal/pkg/devicemonitoring/device_monitoring.go): one
 * entity per GPU instance, labelled GPU_I_PROFILE and GPU_I_ID, and none for the whole
 * GPU. Framebuffer fields are the instance's own, so their sum is the GPU's; the other
 * fields repeat the GPU's value, as DCGM reports them for an instance (clocks, power,
 * temperature are the GPU's).
 */
export function dcgmSamples(
  metrics: DcgmMetrics,
  devices: readonly NvidiaDevice[],
  gpuInstances: readonly GpuInstance[],
  lastXids: readonly LastXid[] | undefined,
  options: DcgmOptions,
): Sample[] {
  const samples: Sample[] = [];
  for (const device of devices) {
    const labels: Record<string, string> = {
      gpu: device.gpu,
      UUID: device.uuid,
      pci_bus_id: textOf(device, "pci.bus_id") ?? "",
      // dcgm-exporter: fmt.Sprintf("nvidia%d", mi.DeviceInfo.GPU), the GPU's index.
      device: `nvidia${device.gpu}`,
      GPU_I_PROFILE: "",
      GPU_I_ID: "",
      Hostname: options.hostname,
    };
    if (options.modelNameLabel) labels["modelName"] = textOf(device, "name") ?? "";
    const instances = gpuInstances.filter((i) => i.uuid === device.uuid);
    const entities =
      instances.length === 0
        ? [{ labels, instance: undefined }]
        : instances.map((instance) => ({
            labels: {
              ...labels,
              GPU_I_PROFILE: instance.profile,
              GPU_I_ID: instance.gpuInstanceId,
            },
            instance,
          }));
    const last = lastXids?.find(
      (x) => x.uuid === device.uuid || (x.uuid === "" && x.gpu === device.gpu),
    );
    for (const entity of entities) {
      for (const { spec, reading } of device.fields) {
        const field = spec.names[0];
        const metric = metrics.byField.get(field);
        if (!metric) continue;
        const memoryKey = entity.instance ? ownValue(GPU_INSTANCE_MEMORY, field) : undefined;
        const value = memoryKey
          ? entity.instance?.memoryMiB[memoryKey]
          : reading.state === "value"
            ? reading.printed
            : undefined;
        if (value !== undefined) samples.push({ def: metric, labels: entity.labels, value });
      }
      if (lastXids)
        samples.push({ def: metrics.xid, labels: entity.labels, value: last?.code ?? 0 });
    }
  }
  return samples;
}

function textOf(device: NvidiaDevice, field: string): string | undefined {
  const reading = device.fields.find((f) => f.spec.names[0] === field)?.reading;
  return reading?.state === "text" ? reading.text : undefined;
}
