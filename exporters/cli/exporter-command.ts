import { parseArgs } from "node:util";
import { resolve } from "node:path";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { readPackageVersion } from "../../core/cli/package-version.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { COLLECTORS } from "../collectors.js";
import { loadExporterConfig, startExporter } from "../process/run-exporter.js";
import { waitForShutdown } from "../../core/cli/wait-for-shutdown.js";

export const EXPORTER_USAGE = `Usage:
  aiwatch exporter --config.file exporter.yaml [--web.listen-address :9401]
  aiwatch exporter --config.file exporter.yaml --check   validate the config and exit

Serves /metrics (Prometheus text or OpenMetrics), /-/healthy, /-/ready, /-/reload and the
collectors' ingest APIs under /api/v1. SIGHUP reloads the config; SIGTERM/SIGINT stop.
`;

export async function runExporterCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        "config.file": { type: "string" },
        config: { type: "string" },
        "web.listen-address": { type: "string" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${EXPORTER_USAGE}`);
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout(EXPORTER_USAGE);
    return EXIT.ok;
  }
  const file = values["config.file"] ?? values.config;
  if (!file) throw new UsageError(`--config.file is required\n\n${EXPORTER_USAGE}`);
  const configFile = resolve(io.cwd, file);
  const secrets = { env: io.env };
  if (values.check) {
    const result = await loadExporterConfig(configFile, COLLECTORS, secrets);
    if (!result.ok) {
      io.stderr(formatDiagnostics(result.diagnostics));
      return EXIT.inputErrors;
    }
    io.stdout(
      `${file}: valid (collectors: ${Object.keys(result.config.collectors).join(", ") || "none"})\n`,
    );
    return EXIT.ok;
  }
  const started = await startExporter({
    configFile,
    listenAddress: values["web.listen-address"],
    collectors: COLLECTORS,
    secrets,
    version: readPackageVersion(),
    writeLog: io.stderr,
  });
  if ("diagnostics" in started) {
    if (!started.diagnostics.ok) io.stderr(formatDiagnostics(started.diagnostics.diagnostics));
    return EXIT.inputErrors;
  }
  io.stderr(`aiwatch exporter serving on ${started.url}\n`);
  await waitForShutdown({ onReload: () => void started.reload() });
  await started.stop();
  return EXIT.ok;
}
