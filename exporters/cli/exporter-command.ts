import { parseArgs } from "node:util";
import { resolve } from "node:path";
import type { CliIo } from "../../core/cli/cli-io.js";
import { EXIT, UsageError } from "../../core/cli/cli-io.js";
import { readPackageVersion } from "../../core/cli/package-version.js";
import {
  loadWebConfigFlag,
  readServerFlags,
  SERVER_OPTIONS,
  serverFlagsHelp,
} from "../../core/cli/server-flags.js";
import { formatDiagnostics } from "../../core/diagnostics/format.js";
import { COLLECTORS } from "../collectors.js";
import { DEFAULT_EXPORTER_ADDRESS } from "../process/exporter-config.js";
import { loadExporterConfig, startExporter } from "../process/run-exporter.js";
import { waitForShutdown } from "../../core/cli/wait-for-shutdown.js";

export const EXPORTER_USAGE = `Usage:
  aiwatch exporter --config.file exporter.yaml [flags]
  aiwatch exporter --config.file exporter.yaml --check   validate the config and exit

Serves / (a landing page), /metrics (Prometheus text or OpenMetrics), /-/healthy, /-/ready,
/-/reload and the collectors' ingest APIs under /api/v1. SIGHUP reloads the config;
SIGTERM/SIGINT stop.

Flags:
  --config.file FILE         the exporter config (--config is an alias)
${serverFlagsHelp(`${DEFAULT_EXPORTER_ADDRESS}, or the file's listen_address`)}  --check                    validate the config (and --web.config.file) and exit
`;

export async function runExporterCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        "config.file": { type: "string" },
        config: { type: "string" },
        ...SERVER_OPTIONS,
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
  const flags = readServerFlags(values, io.cwd);
  const configFile = resolve(io.cwd, file);
  const secrets = { env: io.env };
  const web = loadWebConfigFlag(flags, io);
  if (!web.ok) return EXIT.inputErrors;
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
    ...(flags.listenText !== undefined ? { listenAddress: flags.listenText } : {}),
    ...(flags.logLevel !== undefined ? { logLevel: flags.logLevel } : {}),
    logFormat: flags.logFormat,
    ...(web.config ? { webConfig: web.config } : {}),
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
