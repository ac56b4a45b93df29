import { MIG_METRICS as MIG } from "../metrics/collector-metrics.js";
import type { Labels, MetricDef, Sample } from "../metrics/metric-def.js";
import type { NotExported } from "../tools/field-reading.js";
import { absentReason, parseDecimal } from "../tools/tool-value.js";
import { MIB } from "./field-spec.js";
import type { ListedGpu } from "./parse-list.js";
import type { QueryNode } from "./parse-query-text.js";
import { child } from "./parse-query-text.js";
import { NVIDIA_SOURCE } from "./query-devices.js";
import { ownValue } from "../../../core/own-value.js";

/**
 * A MIG GPU instance: the unit dcgm-exporter reports (one entity per GPU instance, its
 * compute instances not apart), and the one that owns framebuffer memory. Two compute
 * instances of one GPU instance print the same Shared FB Memory Usage in `-q`.
 */
export interface GpuInstance {
  /** Parent GPU labels. */
  readonly gpu: string;
  readonly uuid: string;
  readonly gpuInstanceId: string;
  /** The GPU instance's profile (`3g.40gb`): dcgm-exporter's GPU_I_PROFILE. */
  readonly profile: string;
  /** Shared framebuffer memory by `-q` key (Total, Reserved, Used, Free), MiB as printed. */
  readonly memoryMiB: Readonly<Record<string, number>>;
}

interface MigTarget {
  readonly metric: MetricDef;
  readonly labels?: Labels;
  readonly mib?: boolean;
  /** A reading of the GPU instance (memory, BAR1, SRAM), not of one compute instance. */
  readonly perGpuInstance?: boolean;
}

const MEMORY: Record<string, MetricDef> = {
  Total: MIG.memoryTotal,
  Reserved: MIG.memoryReserved,
  Used: MIG.memoryUsed,
  Free: MIG.memoryFree,
};
const BAR1: Record<string, MetricDef> = {
  Total: MIG.bar1Total,
  Used: MIG.bar1Used,
  Free: MIG.bar1Free,
};
const ENGINES: Record<string, string> = {
  "Copy Engine count": "copy",
  "Encoder count": "encoder",
  "Decoder count": "decoder",
  "OFA count": "ofa",
  "JPG count": "jpg",
};

/**
 * Where each leaf of a `MIG Device` block goes (tables read by own key only: the keys are
 * the tool's text); older drivers say "FB Memory Usage". */
function targetOf(path: readonly string[]): MigTarget | "identity" | undefined {
  const [first, second, third] = path;
  if (
    path.length === 1 &&
    (first === "Index" || first === "GPU Instance ID" || first === "Compute Instance ID")
  )
    return "identity";
  if (
    path.length === 2 &&
    (first === "Shared FB Memory Usage" || first === "FB Memory Usage") &&
    second
  ) {
    const metric = ownValue(MEMORY, second);
    return metric ? { metric, mib: true, perGpuInstance: true } : undefined;
  }
  if (
    path.length === 2 &&
    (first === "Shared BAR1 Memory" || first === "BAR1 Memory Usage") &&
    second
  ) {
    const metric = ownValue(BAR1, second);
    return metric ? { metric, mib: true, perGpuInstance: true } : undefined;
  }
  if (first === "Device Attributes" && second === "Shared" && third && path.length === 3) {
    if (third === "Multiprocessor count") return { metric: MIG.multiprocessors };
    const engine = ownValue(ENGINES, third);
    return engine ? { metric: MIG.engines, labels: { engine } } : undefined;
  }
  if (path.join("/") === "ECC Errors/Volatile/SRAM Uncorrectable")
    return { metric: MIG.sramUncorrectedErrors, perGpuInstance: true };
  return undefined;
}

export interface MigReading {
  readonly gpuInstances: readonly GpuInstance[];
  readonly samples: readonly Sample[];
  readonly notExported: readonly NotExported[];
}

/**
 * The MIG devices of every GPU `-q` shows, joined with `-L` (which alone names their
 * UUID and profile) by parent GPU and MIG device index. Readings of a GPU instance are
 * taken from its first MIG device and published once per GPU instance.
 */
export function migSamples(query: readonly QueryNode[], listed: readonly ListedGpu[]): MigReading {
  const gpuInstances = new Map<string, GpuInstance & { memoryMiB: Record<string, number> }>();
  const samples: Sample[] = [];
  const notExported: NotExported[] = [];
  for (const gpuNode of query.filter((node) => /^GPU [0-9A-Fa-f:.]+$/.test(node.name))) {
    const uuid = child(gpuNode, "GPU UUID")?.value ?? "";
    const parent = listed.find((gpu) => gpu.uuid === uuid);
    const blocks = [
      ...gpuNode.children.filter((c) => c.name === "MIG Device"),
      ...(child(gpuNode, "MIG Devices")?.children.filter((c) => c.name === "MIG Device") ?? []),
    ];
    for (const block of blocks) {
      const migDevice = child(block, "Index")?.value ?? "";
      const listedMig = parent?.migDevices.find((m) => m.device === migDevice);
      const gpuInstanceId = child(block, "GPU Instance ID")?.value ?? "";
      const deviceLabels: Labels = {
        gpu: parent?.index ?? "",
        uuid,
        mig_device: migDevice,
        mig_uuid: listedMig?.uuid ?? "",
        mig_profile: listedMig?.profile ?? "",
        gpu_instance_id: gpuInstanceId,
        compute_instance_id: child(block, "Compute Instance ID")?.value ?? "",
      };
      const instanceKey = `${uuid}\u0000${gpuInstanceId}`;
      // Later compute instances of a GPU instance repeat its shared readings.
      const firstOfInstance = !gpuInstances.has(instanceKey);
      const instance = gpuInstances.get(instanceKey) ?? {
        gpu: parent?.index ?? "",
        uuid,
        gpuInstanceId,
        profile: gpuInstanceProfile(listedMig?.profile ?? ""),
        memoryMiB: {},
      };
      gpuInstances.set(instanceKey, instance);
      const instanceLabels: Labels = {
        gpu: instance.gpu,
        uuid,
        gpu_instance_id: gpuInstanceId,
        mig_profile: instance.profile,
      };
      for (const [path, value] of leaves(block)) {
        const field = `MIG Device/${path.join("/")}`;
        const target = targetOf(path);
        if (target === "identity") continue;
        if (!target) {
          notExported.push({ source: NVIDIA_SOURCE, field, reason: "unrecognized" });
          continue;
        }
        if (target.perGpuInstance && !firstOfInstance) continue;
        const absent = absentReason(value);
        if (absent) {
          notExported.push({ source: NVIDIA_SOURCE, field, reason: absent });
          continue;
        }
        const printed = parseDecimal(target.mib ? value.replace(/\s*MiB$/, "") : value);
        if (printed === undefined || (target.mib && !value.endsWith("MiB"))) {
          notExported.push({ source: NVIDIA_SOURCE, field, reason: "invalid" });
          continue;
        }
        const memoryKey = path[1];
        if (target.mib && memoryKey && ownValue(MEMORY, memoryKey) === target.metric)
          instance.memoryMiB[memoryKey] = printed;
        samples.push({
          def: target.metric,
          labels: { ...(target.perGpuInstance ? instanceLabels : deviceLabels), ...target.labels },
          value: target.mib ? printed * MIB : printed,
        });
      }
    }
  }
  return { gpuInstances: [...gpuInstances.values()], samples, notExported };
}

/**
 * The GPU instance's profile from its MIG device's: a compute instance smaller than its
 * GPU instance is listed as `1c.3g.40gb` (compute slices first), a whole one as `3g.40gb`.
 */
export function gpuInstanceProfile(migDeviceProfile: string): string {
  return migDeviceProfile.replace(/^\d+c\./, "");
}

function* leaves(node: QueryNode, path: string[] = []): Generator<[string[], string]> {
  for (const c of node.children) {
    const next = [...path, c.name];
    if (c.children.length > 0) yield* leaves(c, next);
    else if (c.value !== undefined) yield [next, c.value];
    else yield [next, ""];
  }
}
