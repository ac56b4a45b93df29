import type { Sample } from "../metrics/metric-def.js";
import type { NotExported } from "../tools/field-reading.js";
import { exitFailure, runTool } from "../tools/run-tool.js";
import type { ToolRun } from "../tools/run-tool.js";
import { SourceFailure, failureReasonOf } from "../tools/source-failure.js";
import type { ComputeAppRow } from "./compute-apps.js";
import { COMPUTE_APPS_FIELDS, readComputeApps } from "./compute-apps.js";
import { nvidiaDeviceSamples } from "./device-samples.js";
import type { FieldSpec } from "./field-spec.js";
import { parseHelpQuery, refusedField } from "./help-query.js";
import type { GpuInstance } from "./mig-samples.js";
import { migSamples } from "./mig-samples.js";
import { parseCudaVersion } from "../nvidia-gpu-exporter/transform-value.js";
import { parseGpuList } from "./parse-list.js";
import { parseQueryCsv } from "./parse-query-csv.js";
import { parseQueryText } from "./parse-query-text.js";
import { readQueryDevices } from "./query-devices.js";
import type { NvidiaDevice } from "./query-devices.js";
import { QUERY_FIELDS } from "./query-fields.js";

export interface NvidiaSmiOptions extends Omit<ToolRun, "signal"> {
  /** Also read per-process GPU memory (`--query-compute-apps`). */
  readonly processes: boolean;
  /** Read MIG instances (`-L` and `-q`) when a GPU has MIG mode on. */
  readonly mig: boolean;
  /**
   * Also ask for the listed fields the collector has no reading for, and read the CUDA
   * version (`--version`) once: nvidia_gpu_exporter exports every listed field.
   */
  readonly everyListedField?: boolean;
}

export interface NvidiaReading {
  readonly devices: readonly NvidiaDevice[];
  readonly samples: readonly Sample[];
  readonly notExported: readonly NotExported[];
  /** MIG GPU instances of the GPUs in MIG mode. */
  readonly mig: readonly GpuInstance[];
  /** Processes as printed, when `processes` is on and they could be read. */
  readonly computeApps: readonly ComputeAppRow[] | undefined;
  /** The driver's CUDA version (`--version`), with `everyListedField`; "" if unreadable. */
  readonly cudaVersion: string;
  /** Rows of tool output that could not be read, with where and why. */
  readonly badRows: readonly string[];
  /** Secondary reads (MIG, processes) that failed; the GPU readings above still hold. */
  readonly problems: readonly SourceFailure[];
}

interface QueryPlan {
  readonly names: readonly string[];
  readonly specFor: (field: string) => FieldSpec | undefined;
  /** Fields asked for only to be passed on as printed (see `everyListedField`). */
  readonly extra: (field: string) => boolean;
}

/** Enough rounds to drop the unknown fields of a driver whose field list could not be read. */
const MAX_REFUSALS_PER_READ = 16;

/**
 * Reads NVIDIA GPUs through nvidia-smi. The first read lists the fields the driver knows
 * (`--help-query-gpu`) and asks only for those; a field the driver still refuses
 * (`Field "x" is not a valid field to query.`, exit 2) is dropped and the query retried.
 * A new driver version starts the discovery again.
 */
export class NvidiaSmiSource {
  private helpGroups: string[][] | undefined;
  private readonly refused = new Set<string>();
  private driverVersion: string | undefined;
  private cudaVersion: string | undefined;

  constructor(private readonly options: NvidiaSmiOptions) {}

  /** Fields the installed nvidia-smi refused. */
  refusedFields(): readonly string[] {
    return [...this.refused].sort();
  }

  async read(signal?: AbortSignal): Promise<NvidiaReading> {
    const run: ToolRun = { ...this.options, signal };
    this.helpGroups ??= await this.discover(run);
    const { text, specFor, extra } = await this.query(run);
    const csv = parseQueryCsv(text);
    const read = readQueryDevices(csv, specFor, extra);
    if (read.devices.length === 0)
      throw new SourceFailure(
        "parse_error",
        `nvidia-smi --query-gpu printed no readable GPU row${read.badRows.length ? ` (${read.badRows.join("; ")})` : ""}`,
      );
    this.noticeDriver(read.devices);
    const { samples, notExported } = nvidiaDeviceSamples(read.devices);
    const reading = {
      devices: read.devices,
      samples: [...samples],
      notExported: [...read.notExported, ...notExported],
      mig: [] as GpuInstance[],
      computeApps: undefined as readonly ComputeAppRow[] | undefined,
      cudaVersion: this.options.everyListedField ? await this.readCudaVersion(run) : "",
      badRows: [...read.badRows],
      problems: [] as SourceFailure[],
    };
    if (this.options.mig && read.devices.some(migEnabled)) await this.readMig(run, reading);
    if (this.options.processes) await this.readProcesses(run, reading);
    return reading;
  }

  /**
   * The driver's field list, or undefined when it printed none: the query then asks for
   * every field under its current name, the driver refuses the unknown ones one by one,
   * and the list is asked for again next poll.
   */
  private async discover(run: ToolRun): Promise<string[][] | undefined> {
    const output = await runTool(run, ["--help-query-gpu"]);
    const groups = output.exitCode === 0 ? parseHelpQuery(output.stdout) : [];
    return groups.length > 0 ? groups : undefined;
  }

  private async query(run: ToolRun): Promise<QueryPlan & { text: string }> {
    for (let round = 0; round <= MAX_REFUSALS_PER_READ; round++) {
      const plan = this.plan();
      const { names } = plan;
      if (names.length === 0)
        throw new SourceFailure("unknown_field", "nvidia-smi accepts none of the query fields");
      const args = [`--query-gpu=${names.join(",")}`, "--format=csv"];
      const output = await runTool(run, args);
      if (output.exitCode === 0) return { ...plan, text: output.stdout };
      const field = refusedField(output.stdout + output.stderr);
      if (field === undefined || !names.includes(field))
        throw exitFailure(this.options.command, ["--query-gpu=…", "--format=csv"], output);
      this.refused.add(field);
    }
    throw new SourceFailure(
      "unknown_field",
      `nvidia-smi refused more than ${MAX_REFUSALS_PER_READ} query fields in one read`,
    );
  }

  /** The name to ask for each field, and how to read any name nvidia-smi may print back. */
  private plan(): QueryPlan {
    const groups = this.helpGroups ?? [];
    const byName = new Map<string, FieldSpec>();
    const names: string[] = [];
    for (const spec of QUERY_FIELDS) {
      const group = groups.find((g) => g.some((name) => spec.names.includes(name)));
      const candidates =
        groups.length === 0 ? [...spec.names] : group ? [...group, ...spec.names] : [];
      for (const name of candidates) byName.set(name, spec);
      const name = candidates.find((n) => !this.refused.has(n));
      if (name !== undefined && !names.includes(name)) names.push(name);
    }
    // nvidia_gpu_exporter asks for every listed field under its first name.
    const extras = new Set<string>();
    if (this.options.everyListedField)
      for (const group of groups) {
        const first = group[0];
        if (first === undefined || group.some((name) => byName.has(name))) continue;
        if (this.refused.has(first) || names.includes(first)) continue;
        names.push(first);
        extras.add(first);
      }
    return { names, specFor: (field) => byName.get(field), extra: (field) => extras.has(field) };
  }

  private noticeDriver(devices: readonly NvidiaDevice[]): void {
    const version = devices[0]?.fields.find((f) => f.field === "driver_version")?.reading;
    const text = version?.state === "text" ? version.text : undefined;
    if (text !== undefined && this.driverVersion !== undefined && text !== this.driverVersion) {
      this.helpGroups = undefined;
      this.refused.clear();
    }
    if (text !== undefined) this.driverVersion = text;
  }

  private async readMig(
    run: ToolRun,
    reading: {
      samples: Sample[];
      notExported: NotExported[];
      mig: GpuInstance[];
      problems: SourceFailure[];
    },
  ): Promise<void> {
    try {
      const list = await this.succeed(run, ["-L"]);
      const query = await this.succeed(run, ["-q"]);
      const mig = migSamples(parseQueryText(query), parseGpuList(list));
      reading.samples.push(...mig.samples);
      reading.notExported.push(...mig.notExported);
      reading.mig.push(...mig.gpuInstances);
    } catch (error) {
      reading.problems.push(asFailure(error));
    }
  }

  /** Once: the CUDA version does not change without a driver change (which restarts it). */
  private async readCudaVersion(run: ToolRun): Promise<string> {
    if (this.cudaVersion === undefined) {
      try {
        const output = await runTool(run, ["--version"]);
        this.cudaVersion = output.exitCode === 0 ? parseCudaVersion(output.stdout) : "";
      } catch {
        this.cudaVersion = "";
      }
    }
    return this.cudaVersion;
  }

  private async readProcesses(
    run: ToolRun,
    reading: {
      devices: readonly NvidiaDevice[];
      computeApps: readonly ComputeAppRow[] | undefined;
      samples: Sample[];
      notExported: NotExported[];
      badRows: string[];
      problems: SourceFailure[];
    },
  ): Promise<void> {
    try {
      const text = await this.succeed(run, [
        `--query-compute-apps=${COMPUTE_APPS_FIELDS.join(",")}`,
        "--format=csv",
      ]);
      const apps = readComputeApps(
        text,
        (uuid) => reading.devices.find((d) => d.uuid === uuid)?.gpu,
      );
      reading.computeApps = apps.rows;
      reading.samples.push(...apps.samples);
      reading.notExported.push(...apps.notExported);
      reading.badRows.push(...apps.badRows.map((row) => `--query-compute-apps ${row}`));
    } catch (error) {
      reading.problems.push(asFailure(error));
    }
  }

  private async succeed(run: ToolRun, args: readonly string[]): Promise<string> {
    const output = await runTool(run, args);
    if (output.exitCode !== 0) throw exitFailure(this.options.command, args, output);
    return output.stdout;
  }
}

function migEnabled(device: NvidiaDevice): boolean {
  const mode = device.fields.find((f) => f.spec.names[0] === "mig.mode.current")?.reading;
  return mode?.state === "value" && mode.value === 1;
}

function asFailure(error: unknown): SourceFailure {
  return error instanceof SourceFailure
    ? error
    : new SourceFailure(failureReasonOf(error), String(error));
}
