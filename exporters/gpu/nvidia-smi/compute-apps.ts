import { GPU_METRICS } from "../metrics/gpu-metrics.js";
import type { Sample } from "../metrics/metric-def.js";
import type { NotExported } from "../tools/field-reading.js";
import { absentReason, parseDecimal } from "../tools/tool-value.js";
import { MIB } from "./field-spec.js";
import { parseQueryCsv } from "./parse-query-csv.js";
import { NVIDIA_SOURCE } from "./query-devices.js";

/**
 * The `--query-compute-apps` fields, process_name last: nvidia-smi does not quote, so a
 * comma in a process name can only be recovered when the name is the last column.
 */
export const COMPUTE_APPS_FIELDS = ["gpu_uuid", "pid", "used_gpu_memory", "process_name"] as const;

/** A process as printed, for names that keep nvidia-smi's text (nvidia_gpu_exporter's). */
export interface ComputeAppRow {
  readonly uuid: string;
  readonly pid: string;
  readonly processName: string;
  readonly usedMemory: string;
}

export interface ComputeApps {
  readonly rows: readonly ComputeAppRow[];
  readonly samples: readonly Sample[];
  readonly notExported: readonly NotExported[];
  readonly badRows: readonly string[];
}

/** Per-process GPU memory; `gpuOf` finds a GPU's index from its UUID. */
export function readComputeApps(
  text: string,
  gpuOf: (uuid: string) => string | undefined,
): ComputeApps {
  const csv = parseQueryCsv(text, { joinSurplusIntoLast: true });
  const rows: ComputeAppRow[] = [];
  const samples: Sample[] = [];
  const notExported: NotExported[] = [];
  const badRows = csv.malformedLines.map(
    (line) => `line ${line}: expected ${csv.columns.length} values`,
  );
  const column = (name: string) =>
    csv.columns.findIndex((c) => c.name === name || c.name === "used_memory");
  const at = {
    uuid: csv.columns.findIndex((c) => c.name === "gpu_uuid"),
    pid: csv.columns.findIndex((c) => c.name === "pid"),
    memory: column("used_gpu_memory"),
    name: csv.columns.findIndex((c) => c.name === "process_name"),
  };
  const memoryUnit = csv.columns[at.memory]?.unit;
  csv.rows.forEach((cells, row) => {
    const uuid = cells[at.uuid] ?? "";
    const pid = cells[at.pid] ?? "";
    const memory = cells[at.memory] ?? "";
    if (!/^\d+$/.test(pid)) {
      badRows.push(`row ${row + 1}: pid ${JSON.stringify(pid)} is not a process id`);
      return;
    }
    rows.push({ uuid, pid, processName: cells[at.name] ?? "", usedMemory: memory });
    const absent = absentReason(memory);
    if (absent) {
      notExported.push({ source: NVIDIA_SOURCE, field: "used_gpu_memory", reason: absent });
      return;
    }
    const mib = memoryUnit === "MiB" ? parseDecimal(memory.replace(/\s*MiB$/, "")) : undefined;
    if (mib === undefined) {
      notExported.push({ source: NVIDIA_SOURCE, field: "used_gpu_memory", reason: "invalid" });
      return;
    }
    samples.push({
      def: GPU_METRICS.processMemoryUsed,
      labels: { gpu: gpuOf(uuid) ?? "", uuid, pid, process_name: cells[at.name] ?? "" },
      value: mib * MIB,
    });
  });
  return { rows, samples, notExported, badRows };
}
