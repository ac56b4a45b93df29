import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatDiagnostics } from "../../../../core/diagnostics/format.js";
import { gpuCollector } from "../../../../exporters/gpu/gpu-collector.js";
import type { GpuCollectorDeps } from "../../../../exporters/gpu/gpu-collector.js";
import { startExporter } from "../../../../exporters/process/run-exporter.js";
import type { RunningExporter } from "../../../../exporters/process/run-exporter.js";
import { waitFor } from "../../../support/wait-for.js";
import { parseExposition, valueOf } from "./exposition-text.js";
import type { Series } from "./exposition-text.js";

export interface GpuExporter {
  readonly exporter: RunningExporter;
  readonly logs: string[];
  text(): Promise<string>;
  scrape(): Promise<Series[]>;
  /** Scrapes until `probe` accepts what it sees. */
  until<T>(
    what: string,
    probe: (series: Series[], text: string) => T | undefined,
    timeoutMs?: number,
  ): Promise<T>;
}

/**
 * Whether a scrape shows the end of the collector's first poll everywhere. /metrics
 * renders the process's own metrics (the collector's up, errors and duration) before the
 * collectors' families (each source's up), and the first may wait on I/O: a poll that ends
 * in between shows in the families but not in the health metrics. The duration is set
 * when a poll ends, so a scrape that has it took the health metrics after that poll, and
 * the families after them.
 */
export function firstPollEnded(series: Series[]): boolean {
  return (
    valueOf(series, "aiwatch_exporter_collector_duration_seconds", { collector: "gpu" }) !==
    undefined
  );
}

/** Starts the exporter in this process with only the GPU collector, configured by `gpuSection` (YAML). */
export async function startGpuExporter(
  dir: string,
  gpuSection: string,
  deps: GpuCollectorDeps = {},
): Promise<GpuExporter> {
  const configFile = join(dir, `exporter-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(configFile, `collectors:\n  gpu:\n${gpuSection.replace(/^/gm, "    ")}\n`);
  const logs: string[] = [];
  const started = await startExporter({
    configFile,
    listenAddress: "127.0.0.1:0",
    collectors: [gpuCollector({ hostname: () => "test-host", ...deps })],
    secrets: { env: {} },
    version: "0.0.0-test",
    writeLog: (line) => logs.push(line),
  });
  if ("diagnostics" in started)
    throw new Error(
      started.diagnostics.ok ? "?" : formatDiagnostics(started.diagnostics.diagnostics),
    );
  const text = async () => (await fetch(`${started.url}/metrics`)).text();
  const scrape = async () => parseExposition(await text());
  return {
    exporter: started,
    logs,
    text,
    scrape,
    until: (what, probe, timeoutMs = 30_000) =>
      waitFor(
        what,
        async () => {
          const body = await text();
          return probe(parseExposition(body), body);
        },
        { timeoutMs, pollMs: 50 },
      ),
  };
}
