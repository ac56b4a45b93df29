import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { captureTable, readCapture, sectionOf } from "./nvidia-capture.js";
import type { CaptureTable } from "./nvidia-capture.js";
import type { NvidiaReplay } from "./stand-in-tools.js";

export interface NvidiaCase {
  readonly name: string;
  readonly state: "idle" | "load";
  readonly replay: Omit<NvidiaReplay, "log">;
  readonly table: CaptureTable;
  readonly computeApps: CaptureTable | undefined;
}

/** Every capture in `gpu/nvidia-smi-csv`, once idle and once under load. */
export function nvidiaCaptureCases(fixtures: string): NvidiaCase[] {
  const dir = join(fixtures, "gpu", "nvidia-smi-csv");
  const cases: NvidiaCase[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.includes("__") && f.endsWith(".txt"))
    .sort()) {
    const sections = readCapture(join(dir, file));
    const body = (state: string, title: string) => sectionOf(sections, state, title)?.body ?? null;
    for (const state of ["idle", "load"] as const) {
      const queryGpu = body(state, "query-gpu");
      if (queryGpu === null) throw new Error(`${file} has no ${state} query-gpu section`);
      const queryComputeApps = body(state, "query-compute-apps");
      cases.push({
        name: `${basename(file, ".txt")} (${state})`,
        state,
        replay: {
          helpQueryGpu: body("capabilities", "help-query-gpu"),
          helpQueryComputeApps: body("capabilities", "help-query-compute-apps"),
          queryGpu,
          queryComputeApps,
          list: body("capabilities", "list (-L)"),
          query: body(state, "query (-q)"),
          version: body("capabilities", "version"),
        },
        table: captureTable(queryGpu),
        computeApps: queryComputeApps === null ? undefined : captureTable(queryComputeApps),
      });
    }
  }
  return cases;
}

/**
 * `exporter_testdata_query.txt`: nvidia_gpu_exporter's unit-test CSV (two GPUs, one of
 * them made up) has no `--help-query-gpu` section; the stand-in answers that option with
 * the CSV's own columns, the fields this "driver" evidently answers.
 */
export function nvidiaQueryTxtCase(fixtures: string): NvidiaCase {
  const csv = readFileSync(
    join(fixtures, "gpu", "nvidia-smi-csv", "exporter_testdata_query.txt"),
    "utf8",
  ).trimEnd();
  const table = captureTable(csv);
  return {
    name: "exporter_testdata_query.txt",
    state: "idle",
    replay: {
      helpQueryGpu: table.names.map((name) => `"${name}"\nA field the capture has.\n`).join("\n"),
      helpQueryComputeApps: null,
      queryGpu: csv,
      queryComputeApps: null,
      list: null,
      query: null,
    },
    table,
    computeApps: undefined,
  };
}
