import { z } from "zod";
import { secretRefSchema, resolveSecret } from "../../core/config/secret.js";
import type { SecretSource } from "../../core/config/secret.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import type { LoadResult } from "../../core/server/config-reloader.js";
import type { Credentials } from "../../core/server/auth.js";
import type { SourceDocument } from "../../core/yaml/source-document.js";
import type { LogLevel } from "../../core/log/logger.js";
import type { CollectorDefinition } from "../collector.js";

export const DEFAULT_EXPORTER_ADDRESS = ":9401";

/** exporter.yaml: the process settings, then one optional section per collector. */
export function exporterConfigSchema(collectors: readonly CollectorDefinition[]) {
  return z.strictObject({
    listen_address: z
      .string()
      .default(DEFAULT_EXPORTER_ADDRESS)
      .describe("host:port to serve on; --web.listen-address overrides."),
    log_level: z.enum(["debug", "info", "warn", "error"]).default("info"),
    auth: z
      .strictObject({
        bearer_tokens: z.array(secretRefSchema).default([]),
        basic_auth: z
          .array(z.strictObject({ username: z.string().min(1), password: secretRefSchema }))
          .default([]),
      })
      .default({ bearer_tokens: [], basic_auth: [] })
      .describe("Credentials accepted on ingest endpoints and /-/reload."),
    limits: z
      .strictObject({
        max_body_bytes: z.number().int().positive().default(1_048_576),
        max_series_per_family: z.number().int().positive().default(100_000),
        max_series: z
          .number()
          .int()
          .positive()
          .default(1_000_000)
          .describe("Series of all collectors together; new ones beyond are dropped and counted."),
      })
      .default({
        max_body_bytes: 1_048_576,
        max_series_per_family: 100_000,
        max_series: 1_000_000,
      }),
    collectors: z
      .strictObject(Object.fromEntries(collectors.map((c) => [c.type, c.configSchema.optional()])))
      .default({}),
  });
}

export interface ExporterConfig {
  readonly listenAddress: string;
  readonly logLevel: LogLevel;
  readonly credentials: Credentials;
  readonly maxBodyBytes: number;
  readonly maxSeriesPerFamily: number;
  readonly maxSeries: number;
  /** Enabled collectors' config sections, by collector type. */
  readonly collectors: Readonly<Record<string, unknown>>;
  /** Every resolved secret, for log redaction. */
  readonly secrets: readonly string[];
}

type ParsedConfig = z.output<ReturnType<typeof exporterConfigSchema>>;

/** Resolves secrets and applies the checks the schema cannot, each at its position. */
export function finishExporterConfig(
  parsed: ParsedConfig,
  document: SourceDocument,
  collectors: readonly CollectorDefinition[],
  secrets: SecretSource,
): LoadResult<ExporterConfig> {
  const diagnostics: Diagnostic[] = [];
  const at = (path: (string | number)[], code: string, message: string): void => {
    diagnostics.push({
      code,
      severity: "error",
      message,
      file: document.file,
      position: document.positionOf(path),
      path,
    });
  };
  const resolved: string[] = [];
  const bearerTokens = parsed.auth.bearer_tokens.flatMap((ref, i) => {
    const secret = resolveSecret(ref, secrets);
    if (!secret.ok) at(["auth", "bearer_tokens", i], "secret-unavailable", secret.message);
    return secret.ok ? [secret.value] : [];
  });
  const basicAuth = parsed.auth.basic_auth.flatMap((entry, i) => {
    const secret = resolveSecret(entry.password, secrets);
    if (!secret.ok) at(["auth", "basic_auth", i, "password"], "secret-unavailable", secret.message);
    return secret.ok ? [{ username: entry.username, password: secret.value }] : [];
  });
  resolved.push(...bearerTokens, ...basicAuth.map((b) => b.password));
  const enabled: Record<string, unknown> = {};
  for (const definition of collectors) {
    const section = (parsed.collectors as Record<string, unknown>)[definition.type];
    if (section === undefined) continue;
    enabled[definition.type] = section;
    diagnostics.push(
      ...(definition.validate?.(section, document, ["collectors", definition.type]) ?? []),
    );
    if (
      definition.acceptsData &&
      parsed.auth.bearer_tokens.length === 0 &&
      parsed.auth.basic_auth.length === 0
    ) {
      at(
        ["collectors", definition.type],
        "missing-credentials",
        `collector ${definition.type} accepts data over HTTP: configure auth.bearer_tokens or auth.basic_auth`,
      );
    }
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return {
    ok: true,
    config: {
      listenAddress: parsed.listen_address,
      logLevel: parsed.log_level,
      credentials: { bearerTokens, basicAuth },
      maxBodyBytes: parsed.limits.max_body_bytes,
      maxSeriesPerFamily: parsed.limits.max_series_per_family,
      maxSeries: parsed.limits.max_series,
      collectors: enabled,
      secrets: resolved,
    },
  };
}
