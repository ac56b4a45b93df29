import client from "prom-client";
import { loadConfigFile } from "../../core/config/load-config-file.js";
import type { SecretSource } from "../../core/config/secret.js";
import { createLogger } from "../../core/log/logger.js";
import type { LogFormat, Logger, LogLevel } from "../../core/log/logger.js";
import { registerBuildInfo } from "../../core/metrics/build-info.js";
import { createMetricsRegistry } from "../../core/metrics/metrics-registry.js";
import type { MetricsRegistry } from "../../core/metrics/metrics-registry.js";
import { registerProcessMetrics } from "../../core/metrics/process-metrics.js";
import { ConfigReloader } from "../../core/server/config-reloader.js";
import type { LoadResult } from "../../core/server/config-reloader.js";
import { listen, ListenError, parseListenAddress } from "../../core/server/listen.js";
import type { ListeningServer } from "../../core/server/listen.js";
import type { WebConfig } from "../../core/server/web-config/load-web-config.js";
import { WebLayer } from "../../core/server/web-config/web-layer.js";
import type { CollectorDefinition } from "../collector.js";
import { ExpositionRegistry } from "../exposition/exposition-registry.js";
import { CollectorHealthMetrics } from "./collector-health.js";
import { createExporterApp } from "./exporter-app.js";
import { exporterConfigSchema, finishExporterConfig } from "./exporter-config.js";
import type { ExporterConfig } from "./exporter-config.js";
import { ExporterRuntime } from "./exporter-runtime.js";
import { reportSeriesDrops } from "./series-drops.js";

export interface ExporterOptions {
  readonly configFile: string;
  /** --web.listen-address; wins over the file's listen_address. */
  readonly listenAddress?: string;
  readonly collectors: readonly CollectorDefinition[];
  readonly secrets: SecretSource;
  readonly version: string;
  readonly now?: () => number;
  readonly writeLog?: (line: string) => void;
  /** --log.level; wins over the file's log_level. */
  readonly logLevel?: LogLevel;
  /** --log.format (default json here; the CLI defaults to logfmt). */
  readonly logFormat?: LogFormat;
  /** --web.config.file, validated: TLS, basic auth, headers, rate limit. */
  readonly webConfig?: WebConfig;
}

export interface RunningExporter {
  readonly url: string;
  readonly metrics: MetricsRegistry;
  reload(): Promise<LoadResult<ExporterConfig>>;
  stop(): Promise<void>;
}

export function loadExporterConfig(
  file: string,
  collectors: readonly CollectorDefinition[],
  secrets: SecretSource,
): Promise<LoadResult<ExporterConfig>> {
  return loadConfigFile(file, exporterConfigSchema(collectors), (parsed, document) =>
    finishExporterConfig(parsed, document, collectors, secrets),
  );
}

/** Loads and validates the config, starts the collectors, serves. Rejects on a bad config. */
export async function startExporter(
  options: ExporterOptions,
): Promise<RunningExporter | { readonly diagnostics: LoadResult<ExporterConfig> }> {
  const now = options.now ?? Date.now;
  const initial = await loadExporterConfig(options.configFile, options.collectors, options.secrets);
  if (!initial.ok) return { diagnostics: initial };
  let config = initial.config;
  const logger: Logger = createLogger({
    component: "exporter",
    level: options.logLevel ?? config.logLevel,
    ...(options.logFormat ? { format: options.logFormat } : {}),
    write: options.writeLog,
    secrets: () => config.secrets,
  });
  const metrics = createMetricsRegistry();
  registerBuildInfo(metrics, "exporter", options.version);
  registerProcessMetrics(metrics);
  const web = options.webConfig ? new WebLayer(options.webConfig, metrics, logger, now) : undefined;
  const health = new CollectorHealthMetrics(metrics);
  const exposition = new ExpositionRegistry(
    () => config.maxSeriesPerFamily,
    reportSeriesDrops(
      (family, budget) => health.seriesDropped(family, budget),
      () => config,
      logger,
    ),
    () => config.maxSeries,
  );
  const runtime = new ExporterRuntime(options.collectors, exposition, health, logger, now);
  const rejectedRequests = new client.Counter({
    name: "aiwatch_exporter_rejected_requests_total",
    help: "Requests refused before reaching a collector (credentials, body size, content type, JSON syntax), by endpoint and reason.",
    labelNames: ["endpoint", "reason"],
    registers: metrics.registers,
  });
  const reloader = new ConfigReloader(
    config,
    () => loadExporterConfig(options.configFile, options.collectors, options.secrets),
    async (next) => {
      await runtime.apply(next.collectors);
      config = next;
    },
    metrics,
    logger,
    now,
  );
  await runtime.apply(config.collectors);
  const address = parseListenAddress(options.listenAddress ?? config.listenAddress);
  if (!address) {
    await runtime.stopAll();
    const text = options.listenAddress ?? config.listenAddress;
    throw new ListenError(
      text,
      undefined,
      `invalid listen address ${JSON.stringify(text)} (expected host:port, e.g. :9401)`,
    );
  }
  const app = createExporterApp({
    metrics,
    exposition,
    runtime,
    credentials: () => reloader.current().credentials,
    maxBodyBytes: () => reloader.current().maxBodyBytes,
    rejectedRequests,
    logger,
    version: options.version,
    lifecycle: {
      name: "aiwatch exporter",
      notReadyReason: () => runtime.notReadyReason(),
      reload: async () => {
        const result = await reloader.reload();
        return { ok: result.ok, diagnostics: result.ok ? [] : result.diagnostics };
      },
    },
  });
  let server: ListeningServer;
  try {
    server = await listen(app, address.host, address.port, web);
  } catch (error) {
    await runtime.stopAll();
    throw error;
  }
  logger.info("exporter listening", {
    url: server.url,
    collectors: Object.keys(config.collectors),
  });
  return {
    url: server.url,
    metrics,
    reload: () => reloader.reload(),
    stop: async () => {
      await server.close();
      await runtime.stopAll();
    },
  };
}
