import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatDiagnostics } from "../../../core/diagnostics/format.js";
import type { CollectorDefinition } from "../../../exporters/collector.js";
import { COLLECTORS } from "../../../exporters/collectors.js";
import { startExporter } from "../../../exporters/process/run-exporter.js";
import type { RunningExporter } from "../../../exporters/process/run-exporter.js";

export const TOKEN = "ingest-t0ken";

/**
 * Starts the real exporter process (in-process) on a config text, with every collector
 * (or the given ones, for collectors a test builds with its own dependencies).
 */
export async function startTestExporter(
  dir: string,
  config: string,
  options: { logs?: string[]; collectors?: readonly CollectorDefinition[] } = {},
): Promise<RunningExporter> {
  const configFile = join(dir, "exporter.yaml");
  writeFileSync(configFile, config);
  const result = await startExporter({
    configFile,
    listenAddress: "127.0.0.1:0",
    collectors: options.collectors ?? COLLECTORS,
    secrets: { env: { INGEST_TOKEN: TOKEN } },
    version: "0.0.0-test",
    writeLog: (line) => options.logs?.push(line),
  });
  if ("diagnostics" in result)
    throw new Error(
      result.diagnostics.ok ? "?" : formatDiagnostics(result.diagnostics.diagnostics),
    );
  return result;
}

export const AUTH_CONFIG = `auth:\n  bearer_tokens: [{ env: INGEST_TOKEN }]\n`;

export function postJson(url: string, body: unknown, token = TOKEN): Promise<Response> {
  return fetch(url, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  });
}

export async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** The value of the sample line starting with `selector` in exposition text. */
export function sampleValue(text: string, selector: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${selector} `));
  return line === undefined ? undefined : Number(line.slice(selector.length + 1));
}
