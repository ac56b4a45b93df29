import type { Labels, MetricDef, Sample } from "../metrics/metric-def.js";
import type { MigInstance } from "../nvidia-smi/mig-samples.js";
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
  /** The `/dev/nvidia<N>` minor number of a GPU, by PCI bus id. */
  readonly deviceMinor: (pciBusId: string) => string | undefined;
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

/**
 * dcgm-exporter-shaped samples of the NVIDIA GPUs: values in dcgm-exporter's units (as
 * nvidia-smi prints them), its label names, MIG instances' framebuffer memory with
 * GPU_I_PROFILE and GPU_I_ID, and the last XID per GPU once the kernel log is readable.
 */
export function dcgmSamples(
  metrics: DcgmMetrics,
  devices: readonly NvidiaDevice[],
  mig: readonly MigInstance[],
  lastXids: readonly LastXid[] | undefined,
  options: DcgmOptions,
): Sample[] {
  const samples: Sample[] = [];
  const labelsByUuid = new Map<string, Labels>();
  for (const device of devices) {
    const pciBusId = textOf(device, "pci.bus_id");
    const minor = pciBusId ? options.deviceMinor(pciBusId) : undefined;
    const labels: Record<string, string> = {
      gpu: device.gpu,
      UUID: device.uuid,
      pci_bus_id: pciBusId ?? "",
      device: minor === undefined ? "" : `nvidia${minor}`,
      GPU_I_PROFILE: "",
      GPU_I_ID: "",
      Hostname: options.hostname,
    };
    if (options.modelNameLabel) labels["modelName"] = textOf(device, "name") ?? "";
    labelsByUuid.set(device.uuid, labels);
    for (const { spec, reading } of device.fields) {
      const metric = metrics.byField.get(spec.names[0]);
      if (metric && reading.state === "value")
        samples.push({ def: metric, labels, value: reading.printed });
    }
    if (lastXids) {
      const last = lastXids.find(
        (x) => x.uuid === device.uuid || (x.uuid === "" && x.gpu === device.gpu),
      );
      samples.push({ def: metrics.xid, labels, value: last?.code ?? 0 });
    }
  }
  for (const instance of mig) {
    const parent = labelsByUuid.get(instance.uuid);
    if (!parent) continue;
    const labels = { ...parent, GPU_I_PROFILE: instance.profile, GPU_I_ID: instance.gpuInstanceId };
    const used = metrics.byField.get("memory.used");
    const free = metrics.byField.get("memory.free");
    if (used && instance.memoryUsedMiB !== undefined)
      samples.push({ def: used, labels, value: instance.memoryUsedMiB });
    if (free && instance.memoryFreeMiB !== undefined)
      samples.push({ def: free, labels, value: instance.memoryFreeMiB });
  }
  return samples;
}

function textOf(device: NvidiaDevice, field: string): string | undefined {
  const reading = device.fields.find((f) => f.spec.names[0] === field)?.reading;
  return reading?.state === "text" ? reading.text : undefined;
}
