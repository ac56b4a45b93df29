import { resolve } from "node:path";
import { formatDiagnostics } from "../diagnostics/format.js";
import { LOG_FORMATS, LOG_LEVELS } from "../log/logger.js";
import type { LogFormat, LogLevel } from "../log/logger.js";
import { parseListenAddress } from "../server/listen.js";
import { loadWebConfig } from "../server/web-config/load-web-config.js";
import type { WebConfig } from "../server/web-config/load-web-config.js";
import type { CliIo } from "./cli-io.js";
import { UsageError } from "./cli-io.js";

/** The flags every aiwatch server takes, named as Prometheus and its exporters name them. */
export const SERVER_OPTIONS = {
  "web.listen-address": { type: "string" },
  "web.config.file": { type: "string" },
  "log.level": { type: "string" },
  "log.format": { type: "string" },
} as const;

export function serverFlagsHelp(defaultAddress: string): string {
  return `  --web.listen-address ADDR  host:port to serve on (default ${defaultAddress})
  --web.config.file FILE     TLS, basic auth, headers and rate limit, in the format of
                             Prometheus's exporter-toolkit (docs/serving.md)
  --log.level LEVEL          debug, info, warn or error (default info)
  --log.format FORMAT        logfmt or json (default logfmt)
  --version                  print the version and exit
`;
}

export interface ServerFlags {
  readonly listen: { readonly host: string; readonly port: number } | undefined;
  readonly listenText: string | undefined;
  readonly webConfigFile: string | undefined;
  readonly logLevel: LogLevel | undefined;
  readonly logFormat: LogFormat;
}

/** Checks the server flags' values; a bad one is a usage error (exit 2). */
export function readServerFlags(
  values: Readonly<Record<string, unknown>>,
  cwd: string,
): ServerFlags {
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const listenText = text("web.listen-address");
  const listen = listenText !== undefined ? parseListenAddress(listenText) : undefined;
  if (listenText !== undefined && !listen)
    throw new UsageError(
      `--web.listen-address: expected host:port such as :9401, got "${listenText}"`,
    );
  const level = text("log.level");
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level))
    throw new UsageError(`--log.level: expected one of ${LOG_LEVELS.join(", ")}, got "${level}"`);
  const format = text("log.format") ?? "logfmt";
  if (!(LOG_FORMATS as readonly string[]).includes(format))
    throw new UsageError(
      `--log.format: expected one of ${LOG_FORMATS.join(", ")}, got "${format}"`,
    );
  const webConfig = text("web.config.file");
  return {
    listen,
    listenText,
    webConfigFile: webConfig !== undefined ? resolve(cwd, webConfig) : undefined,
    logLevel: level as LogLevel | undefined,
    logFormat: format as LogFormat,
  };
}

/**
 * Loads `--web.config.file` before a server starts: an invalid file is reported with its
 * positions and the server does not start, as the toolkit refuses to serve.
 */
export function loadWebConfigFlag(
  flags: ServerFlags,
  io: CliIo,
): { readonly ok: true; readonly config: WebConfig | undefined } | { readonly ok: false } {
  if (flags.webConfigFile === undefined) return { ok: true, config: undefined };
  const loaded = loadWebConfig(flags.webConfigFile);
  if (loaded.ok) return { ok: true, config: loaded.config };
  io.stderr(formatDiagnostics(loaded.diagnostics));
  return { ok: false };
}
