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

/** A MIG instance as `-q` and `-L` describe it together. */
export interface MigInstance {
  /** Parent GPU labels. */
  readonly gpu: string;
  readonly uuid: string;
  readonly migDevice: string;
  readonly migUuid: string;
  readonly profile: string;
  readonly gpuInstanceId: string;
  readonly computeInstanceId: string;
  /** Shared framebuffer memory, MiB as printed (dcgm-exporter reports MiB). */
  readonly memoryUsedMiB: number | undefined;
  readonly memoryFreeMiB: number | undefined;
}

interface MigTarget {
  readonly metric: MetricDef;
  readonly labels?: Labels;
  readonly mib?: boolean;
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
    return metric ? { metric, mib: true } : undefined;
  }
  if (
    path.length === 2 &&
    (first === "Shared BAR1 Memory" || first === "BAR1 Memory Usage") &&
    second
  ) {
    const metric = ownValue(BAR1, second);
    return metric ? { metric, mib: true } : undefined;
  }
  if (first === "Device Attributes" && second === "Shared" && third && path.length === 3) {
    if (third === "Multiprocessor count") return { metric: MIG.multiprocessors };
    const engine = ownValue(ENGINES, third);
    return engine ? { metric: MIG.engines, labels: { engine } } : undefined;
  }
  if (path.join("/") === "ECC Errors/Volatile/SRAM Uncorrectable")
    return { metric: MIG.sramUncorrectedErrors };
  return undefined;
}

export interface MigReading {
  readonly instances: readonly MigInstance[];
  readonly samples: readonly Sample[];
  readonly notExported: readonly NotExported[];
}

/**
 * The MIG instances of every GPU `-q` shows, joined with `-L` (which alone names their
 * UUID and profile) by parent GPU and MIG device index.
 */
export function migSamples(query: readonly QueryNode[], listed: readonly ListedGpu[]): MigReading {
  const instances: MigInstance[] = [];
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
      const labels: Labels = {
        gpu: parent?.index ?? "",
        uuid,
        mig_device: migDevice,
        mig_uuid: listedMig?.uuid ?? "",
        mig_profile: listedMig?.profile ?? "",
        gpu_instance_id: child(block, "GPU Instance ID")?.value ?? "",
        compute_instance_id: child(block, "Compute Instance ID")?.value ?? "",
      };
      let usedMiB: number | undefined;
      let freeMiB: number | undefined;
      for (const [path, value] of leaves(block)) {
        const field = `MIG Device/${path.join("/")}`;
        const target = targetOf(path);
        if (target === "identity") continue;
        if (!target) {
          notExported.push({ source: NVIDIA_SOURCE, field, reason: "unrecognized" });
          continue;
        }
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
        if (target.metric === MIG.memoryUsed) usedMiB = printed;
        if (target.metric === MIG.memoryFree) freeMiB = printed;
        samples.push({
          def: target.metric,
          labels: { ...labels, ...target.labels },
          value: target.mib ? printed * MIB : printed,
        });
      }
      instances.push({
        gpu: labels["gpu"] ?? "",
        uuid,
        migDevice,
        migUuid: labels["mig_uuid"] ?? "",
        profile: labels["mig_profile"] ?? "",
        gpuInstanceId: labels["gpu_instance_id"] ?? "",
        computeInstanceId: labels["compute_instance_id"] ?? "",
        memoryUsedMiB: usedMiB,
        memoryFreeMiB: freeMiB,
      });
    }
  }
  return { instances, samples, notExported };
}

function* leaves(node: QueryNode, path: string[] = []): Generator<[string[], string]> {
  for (const c of node.children) {
    const next = [...path, c.name];
    if (c.children.length > 0) yield* leaves(c, next);
    else if (c.value !== undefined) yield [next, c.value];
    else yield [next, ""];
  }
}
