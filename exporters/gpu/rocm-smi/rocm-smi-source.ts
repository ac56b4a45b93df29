import { exitFailure, runTool } from "../tools/run-tool.js";
import type { ToolRun } from "../tools/run-tool.js";
import { parseRocmJson } from "./parse-rocm-json.js";
import type { RocmReading } from "./rocm-samples.js";
import { rocmSamples } from "./rocm-samples.js";

/**
 * rocm-smi has no "everything" switch that works across versions (`-a` leaves fields
 * out), so the collector asks for each group by name. This is the set Telegraf's
 * amd_rocm_smi plugin sends, which the ROCm 4.3 to 6.1 captures in
 * `../shared/fixtures/gpu/rocm-smi-json` were taken with.
 */
export const ROCM_SMI_ARGS: readonly string[] = [
  "-o",
  "-l",
  "-m",
  "-M",
  "-g",
  "-c",
  "-t",
  "-u",
  "-i",
  "-f",
  "-p",
  "-P",
  "-s",
  "-S",
  "-v",
  "--showreplaycount",
  "--showpids",
  "--showdriverversion",
  "--showmemvendor",
  "--showfwinfo",
  "--showproductname",
  "--showserial",
  "--showuniqueid",
  "--showbus",
  "--showpendingpages",
  "--showpagesinfo",
  "--showmeminfo",
  "all",
  "--showretiredpages",
  "--showunreservablepages",
  "--showmemuse",
  "--showvoltage",
  "--showtopo",
  "--showtopoweight",
  "--showtopohops",
  "--showtopotype",
  "--showtoponuma",
  "--json",
];

export interface RocmSmiOptions extends Omit<ToolRun, "signal"> {
  readonly processes: boolean;
}

/**
 * Reads AMD GPUs through `rocm-smi --json`. rocm-smi exits non-zero when any one reading
 * is unsupported on the card, yet still prints the others, so its JSON counts, not its
 * exit status; only an exit without JSON is a failure.
 */
export class RocmSmiSource {
  constructor(private readonly options: RocmSmiOptions) {}

  async read(signal?: AbortSignal): Promise<RocmReading & { readonly cards: number }> {
    const output = await runTool({ ...this.options, signal }, ROCM_SMI_ARGS);
    let json;
    try {
      json = parseRocmJson(output.stdout);
    } catch (error) {
      if (output.exitCode !== 0) throw exitFailure(this.options.command, ["…", "--json"], output);
      throw error;
    }
    return {
      ...rocmSamples(json, { processes: this.options.processes }),
      cards: json.cards.length,
    };
  }
}
