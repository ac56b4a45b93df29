import { GPU_METRICS as M } from "../metrics/gpu-metrics.js";
import type { Labels, MetricDef, Sample } from "../metrics/metric-def.js";
import type { NotExported } from "../tools/field-reading.js";
import { absentReason, parseDecimal } from "../tools/tool-value.js";
import type { RocmJson } from "./parse-rocm-json.js";
import { readRocmCardField } from "./rocm-fields.js";
import type { RocmSample } from "./rocm-fields.js";

export const ROCM_SOURCE = "rocm-smi";

export interface RocmReading {
  readonly samples: readonly Sample[];
  readonly notExported: readonly NotExported[];
}

const TOPOLOGY = /^\(Topology\) (Weight|Hops|Link type) between DRM devices (\d+) and (\d+)$/;

/**
 * AMD cards onto the `aiwatch_gpu_*` names. Every key rocm-smi printed is exported or
 * counted in `aiwatch_gpu_fields_not_exported`; two keys that report the same reading
 * (`-c`'s and `-g`'s graphics clock) must agree, or the later one counts as ambiguous.
 */
export function rocmSamples(json: RocmJson, options: { readonly processes: boolean }): RocmReading {
  const samples: Sample[] = [];
  const notExported: NotExported[] = [];
  const skip = (field: string, reason: NotExported["reason"]) =>
    notExported.push({ source: ROCM_SOURCE, field, reason });
  const uuidOf = new Map<string, string>();
  const driver = json.system["Driver version"];
  for (const card of json.cards) {
    const uniqueId = card.fields["Unique ID"];
    const uuid = uniqueId === undefined || absentReason(uniqueId) ? "" : uniqueId.trim();
    uuidOf.set(card.gpu, uuid);
    const base = { gpu: card.gpu, uuid };
    const seen = new Map<string, RocmSample>();
    const infos = new Map<MetricDef, Record<string, string>>([
      [M.info, {}],
      [M.pciInfo, {}],
      [M.amdInfo, {}],
    ]);
    for (const [key, value] of Object.entries(card.fields)) {
      const absent = absentReason(value);
      if (absent) {
        skip(key, absent);
        continue;
      }
      const read = readRocmCardField(key, value);
      switch (read.kind) {
        case "identity":
          break;
        case "info":
          (infos.get(read.metric) ?? {})[read.label] = value.trim();
          break;
        case "samples": {
          const conflict = read.samples.some((s) => {
            const earlier = seen.get(seriesKey(s));
            return earlier !== undefined && earlier.value !== s.value;
          });
          if (conflict) {
            skip(key, "ambiguous");
            break;
          }
          for (const s of read.samples) {
            if (seen.has(seriesKey(s))) continue;
            seen.set(seriesKey(s), s);
            samples.push({ def: s.metric, labels: { ...base, ...s.labels }, value: s.value });
          }
          break;
        }
        default:
          skip(key, read.kind);
      }
    }
    const identity = infos.get(M.info) ?? {};
    identity["vendor"] = "amd";
    identity["name"] ??= infos.get(M.amdInfo)?.["card_series"] ?? "";
    if (driver !== undefined && !absentReason(driver)) identity["driver_version"] = driver.trim();
    for (const [metric, labels] of infos)
      samples.push({ def: metric, labels: infoLabels(metric, base, labels), value: 1 });
  }
  if (json.cards.length > 0)
    samples.push({ def: M.devices, labels: { source: ROCM_SOURCE }, value: json.cards.length });
  for (const [key, value] of Object.entries(json.system)) {
    if (key === "Driver version") {
      if (absentReason(value)) skip(key, absentReason(value) ?? "not_available");
      continue;
    }
    const topology = TOPOLOGY.exec(key);
    if (topology) {
      const sample = topologySample(topology, value, uuidOf);
      if (sample) samples.push(sample);
      else skip(key, absentReason(value) ?? "invalid");
      continue;
    }
    const pid = /^PID(\d+)$/.exec(key)?.[1];
    if (pid !== undefined) {
      if (!options.processes) skip("PID", "not_requested");
      else samples.push(...processSamples(pid, value, skip));
      continue;
    }
    skip(key, "unrecognized");
  }
  for (const key of json.nonStringKeys) skip(key, "invalid");
  return { samples, notExported };
}

function seriesKey(sample: RocmSample): string {
  return `${sample.metric.name}${JSON.stringify(sample.labels ?? {})}`;
}

function infoLabels(metric: MetricDef, base: Labels, set: Labels): Labels {
  const labels: Record<string, string> = { ...base };
  for (const name of metric.labelNames) if (!(name in labels)) labels[name] = set[name] ?? "";
  return labels;
}

function topologySample(
  match: RegExpExecArray,
  value: string,
  uuidOf: ReadonlyMap<string, string>,
): Sample | undefined {
  const [, what, gpu = "", peer = ""] = match;
  const labels = { gpu, uuid: uuidOf.get(gpu) ?? "", peer_gpu: peer };
  if (what === "Link type") {
    const type = value.trim().toLowerCase();
    return type && !absentReason(value)
      ? { def: M.topologyLinkType, labels: { ...labels, type }, value: 1 }
      : undefined;
  }
  const number = parseDecimal(value);
  if (number === undefined) return undefined;
  return { def: what === "Weight" ? M.topologyWeight : M.topologyHops, labels, value: number };
}

/**
 * `--showpids`: "PID<n>": "name, GPU(s), VRAM used, SDMA used, CU occupancy". Only the
 * VRAM use maps onto a shared name; the process is not tied to one GPU, so `gpu` and
 * `uuid` stay empty, and the other columns are counted as not exported.
 */
function processSamples(
  pid: string,
  value: string,
  skip: (field: string, reason: NotExported["reason"]) => void,
): Sample[] {
  const parts = value.split(",").map((p) => p.trim());
  const vram = parts.length === 5 ? parseDecimal(parts[2] ?? "") : undefined;
  if (vram === undefined) {
    skip("PID", "invalid");
    return [];
  }
  for (const column of ["PID/gpus", "PID/sdma_used", "PID/cu_occupancy"]) skip(column, "unmapped");
  return [
    {
      def: M.processMemoryUsed,
      labels: { gpu: "", uuid: "", pid, process_name: parts[0] ?? "" },
      value: vram,
    },
  ];
}
