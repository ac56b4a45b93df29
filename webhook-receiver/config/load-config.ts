import { dirname, isAbsolute, resolve } from "node:path";
import { loadConfigFile } from "../../core/config/load-config-file.js";
import { resolveSecret } from "../../core/config/secret.js";
import type { SecretRef, SecretSource } from "../../core/config/secret.js";
import { durationMs } from "../../core/config/zod-fields.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import type { LoadResult } from "../../core/server/config-reloader.js";
import type { SourceDocument } from "../../core/yaml/source-document.js";
import type { DestinationType } from "../destinations/destination.js";
import { PLATFORM_LIMITS } from "../destinations/platform-limits.js";
import { BUILTIN_TEMPLATES } from "../render/builtin-templates.js";
import { compileTemplate } from "../render/template-engine.js";
import type { CompiledTemplates } from "../render/template-engine.js";
import { parseMatcher } from "../routing/matcher.js";
import type { Matcher } from "../routing/matcher.js";
import { receiverConfigSchema } from "./config-schema.js";
import type { ActionFile } from "./enrichment-schema.js";
import { loadActionsSettings, loadRouteActions } from "./load-actions.js";
import { loadAnalysisConfig } from "./load-enrichment.js";
import type { RefineTools } from "./load-enrichment.js";
import type { DestinationConfigFile, ReceiverConfigFile } from "./config-schema.js";
import type {
  DestinationConfig,
  ReceiverConfig,
  RouteConfig,
  StorageConfig,
} from "./receiver-config.js";
import { DEFAULT_PAYLOAD_LIMITS } from "../payload/payload-limits.js";

export const DEFAULTS = {
  maxBodyBytes: 4 * 1024 * 1024,
  historyRetention: "30d",
  dedupWindow: "10m",
  timeout: "10s",
  maxAttempts: 20,
  maxAge: "24h",
  initialBackoff: "1s",
  maxBackoff: "5m",
  maxDigest: 50,
  enrichmentTimeout: "2s",
  postgresMaxConnections: 10,
} as const;

type Path = (string | number)[];

/**
 * Loads receiver.yaml: schema check, then everything the schema cannot say, each at its
 * line and column: secrets that do not resolve, URLs that are not http(s), unknown or
 * duplicate destination names, matchers that do not parse, templates that do not compile.
 */
export function loadReceiverConfig(
  path: string,
  secrets: SecretSource,
): Promise<LoadResult<ReceiverConfig>> {
  return loadConfigFile(path, receiverConfigSchema, (value, document) =>
    refineConfig(path, value, document, secrets),
  );
}

function refineConfig(
  path: string,
  file: ReceiverConfigFile,
  document: SourceDocument,
  source: SecretSource,
): LoadResult<ReceiverConfig> {
  const diagnostics: Diagnostic[] = [];
  const error = (code: string, at: Path, message: string): void => {
    diagnostics.push({
      code,
      severity: "error",
      message,
      file: document.file,
      position: document.positionOf(at),
      path: at,
    });
  };
  const secretValues: string[] = [];
  const secret = (ref: SecretRef, at: Path): string => {
    const resolved = resolveSecret(ref, source);
    if (!resolved.ok) {
      error("secret-unresolved", at, resolved.message);
      return "";
    }
    secretValues.push(resolved.value);
    return resolved.value;
  };

  const auth = file.web?.auth;
  const bearerTokens = (auth?.bearer_tokens ?? []).map((ref, i) =>
    secret(ref, ["web", "auth", "bearer_tokens", i]),
  );
  const basicAuth = (auth?.basic_auth ?? []).map((entry, i) => ({
    username: entry.username,
    password: secret(entry.password, ["web", "auth", "basic_auth", i, "password"]),
  }));
  if (bearerTokens.length + basicAuth.length === 0)
    error(
      "auth-required",
      ["web"],
      "web.auth: configure at least one bearer token or basic-auth user; the receiver accepts no unauthenticated alerts",
    );

  const externalUrl = file.web?.external_url;
  if (externalUrl !== undefined && !/^https?:\/\/[^/?#\s]+[^?#\s]*$/i.test(externalUrl))
    error(
      "invalid-url",
      ["web", "external_url"],
      `web.external_url: expected an http:// or https:// URL without a query, got ${JSON.stringify(externalUrl)}`,
    );

  const destinations: DestinationConfig[] = [];
  const names = new Set<string>();
  file.destinations.forEach((d, i) => {
    const at: Path = ["destinations", i];
    if (names.has(d.name))
      error("duplicate-destination", [...at, "name"], `destination "${d.name}" is defined twice`);
    names.add(d.name);
    destinations.push(resolveDestination(d, at, secret, error, file.delivery?.timeout));
  });

  const tools: RefineTools = {
    configPath: path,
    error,
    foreign: (found) => diagnostics.push(...found),
    secret,
    sensitive: (value) => secretValues.push(value),
  };
  const actionNames = new Set<string>();
  const routes: RouteConfig[] = (file.routes ?? []).map((r, i) =>
    compileRoute(`routes[${i}]`, ["routes", i], r, names, error, (id, at, actions) =>
      loadRouteActions(id, at, actions, file.actions, actionNames, tools),
    ),
  );
  const defaultRoute = compileRoute(
    "default_route",
    ["default_route"],
    file.default_route,
    names,
    error,
    (id, at, actions) => loadRouteActions(id, at, actions, file.actions, actionNames, tools),
  );
  const analysis = loadAnalysisConfig(file.enrichment, tools);
  const storage = resolveStorage(path, file, secret, error);
  if (storage.kind === "postgres") secretValues.push(...urlPasswords(storage.url));
  if (diagnostics.length > 0) return { ok: false, diagnostics };

  const delivery = file.delivery ?? {};
  const limits = file.limits ?? {};
  return {
    ok: true,
    config: {
      file: path,
      credentials: { bearerTokens, basicAuth },
      maxBodyBytes: file.web?.max_body_bytes ?? DEFAULTS.maxBodyBytes,
      ...(externalUrl !== undefined ? { externalUrl: externalUrl.replace(/\/+$/, "") } : {}),
      storage,
      limits: {
        maxAlertsPerGroup: limits.max_alerts_per_group ?? DEFAULT_PAYLOAD_LIMITS.maxAlertsPerGroup,
        maxLabelsPerAlert: limits.max_labels_per_alert ?? DEFAULT_PAYLOAD_LIMITS.maxLabelsPerAlert,
        maxLabelLength: limits.max_label_length ?? DEFAULT_PAYLOAD_LIMITS.maxLabelLength,
        maxAnnotationLength:
          limits.max_annotation_length ?? DEFAULT_PAYLOAD_LIMITS.maxAnnotationLength,
      },
      dedupWindowMs: durationMs(file.dedup?.window ?? DEFAULTS.dedupWindow),
      delivery: {
        timeoutMs: durationMs(delivery.timeout ?? DEFAULTS.timeout),
        maxAttempts: delivery.max_attempts ?? DEFAULTS.maxAttempts,
        maxAgeMs: durationMs(delivery.max_age ?? DEFAULTS.maxAge),
        initialBackoffMs: durationMs(delivery.initial_backoff ?? DEFAULTS.initialBackoff),
        maxBackoffMs: durationMs(delivery.max_backoff ?? DEFAULTS.maxBackoff),
        maxDigest: delivery.max_digest ?? DEFAULTS.maxDigest,
      },
      enrichmentTimeoutMs: durationMs(file.enrichment?.timeout ?? DEFAULTS.enrichmentTimeout),
      analysis,
      actions: loadActionsSettings(file.actions),
      destinations,
      routes,
      defaultRoute,
      secretValues,
    },
  };
}

/**
 * `storage.path` (SQLite) or `storage.postgres` (PostgreSQL), exactly one. The Postgres
 * URL is a secret like a token (it holds the password): it joins the redacted values, and
 * so does the password alone, which a driver's error may quote.
 */
function resolveStorage(
  configPath: string,
  file: ReceiverConfigFile,
  secret: (ref: SecretRef, at: Path) => string,
  error: (code: string, at: Path, message: string) => void,
): StorageConfig {
  const historyRetentionMs = durationMs(
    file.storage.history_retention ?? DEFAULTS.historyRetention,
  );
  const { postgres, path } = file.storage;
  if (postgres !== undefined) {
    if (path !== undefined)
      error(
        "storage-conflict",
        ["storage", "path"],
        "storage: set either path (SQLite) or postgres (PostgreSQL), not both",
      );
    if (file.storage.synchronous !== undefined)
      error(
        "storage-conflict",
        ["storage", "synchronous"],
        "storage.synchronous applies to SQLite only; PostgreSQL commits are durable by its own synchronous_commit",
      );
    const url = secret(postgres.url, ["storage", "postgres", "url"]);
    if (url !== "" && !/^postgres(ql)?:\/\//.test(url))
      error(
        "invalid-value",
        ["storage", "postgres", "url"],
        "storage.postgres.url: expected a postgres:// or postgresql:// URL",
      );
    return {
      kind: "postgres",
      url,
      maxConnections: postgres.max_connections ?? DEFAULTS.postgresMaxConnections,
      preparedStatements: postgres.prepared_statements ?? true,
      historyRetentionMs,
    };
  }
  if (path === undefined) {
    error(
      "missing-key",
      ["storage"],
      'storage: set path (a SQLite file, e.g. "receiver.db") or postgres.url',
    );
    return { kind: "sqlite", path: "", synchronous: "full", historyRetentionMs };
  }
  return {
    kind: "sqlite",
    path: path === ":memory:" || isAbsolute(path) ? path : resolve(dirname(configPath), path),
    synchronous: file.storage.synchronous ?? "full",
    historyRetentionMs,
  };
}

function urlPasswords(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password.length >= 4 ? [password] : [];
  } catch {
    return [];
  }
}

function resolveDestination(
  d: DestinationConfigFile,
  at: Path,
  secret: (ref: SecretRef, at: Path) => string,
  error: (code: string, at: Path, message: string) => void,
  defaultTimeout: string | undefined,
): DestinationConfig {
  const secrets: Record<string, string> = {};
  if ("url" in d) {
    const url = secret(d.url, [...at, "url"]);
    if (url !== "" && !/^https?:\/\/[^\s]+$/i.test(url))
      // The value is a secret: say what is wrong without printing it.
      error(
        "invalid-url",
        [...at, "url"],
        `${d.name}: the URL must start with http:// or https://`,
      );
    secrets["url"] = url;
  }
  if ("secret" in d && d.secret) secrets["secret"] = secret(d.secret, [...at, "secret"]);
  if (d.type === "email" && d.smtp.password)
    secrets["password"] = secret(d.smtp.password, [...at, "smtp", "password"]);
  if (d.type === "webhook")
    for (const [header, ref] of Object.entries(d.headers ?? {}))
      secrets[`header:${header}`] = secret(ref, [...at, "headers", header]);
  const preset = PLATFORM_LIMITS[d.type];
  return {
    name: d.name,
    type: d.type,
    file: d,
    secrets,
    rateLimit: d.rate_limit
      ? { perMinute: d.rate_limit.per_minute, burst: d.rate_limit.burst }
      : preset.rateLimit,
    maxSplit: d.max_split ?? 1,
    timeoutMs: durationMs(d.timeout ?? defaultTimeout ?? DEFAULTS.timeout),
    ...(d.max_size !== undefined ? { sizeLimit: d.max_size } : {}),
  };
}

function compileRoute(
  id: string,
  at: Path,
  route: {
    matchers?: string[] | undefined;
    destinations: string[];
    continue?: boolean | undefined;
    templates?:
      | Partial<Record<DestinationType, { title?: string | undefined; body?: string | undefined }>>
      | undefined;
    actions?: ActionFile[] | undefined;
  },
  names: ReadonlySet<string>,
  error: (code: string, at: Path, message: string) => void,
  loadActions: (id: string, at: Path, actions: ActionFile[] | undefined) => RouteConfig["actions"],
): RouteConfig {
  const matchers: Matcher[] = [];
  (route.matchers ?? []).forEach((text, i) => {
    const parsed = parseMatcher(text);
    if (parsed.ok) matchers.push(parsed.matcher);
    else error("invalid-matcher", [...at, "matchers", i], parsed.message);
  });
  route.destinations.forEach((name, i) => {
    if (!names.has(name))
      error(
        "unknown-destination",
        [...at, "destinations", i],
        `destination "${name}" is not defined (defined: ${[...names].join(", ")})`,
      );
  });
  const templates: Partial<Record<DestinationType, CompiledTemplates>> = {};
  for (const [type, pair] of Object.entries(route.templates ?? {}) as [
    DestinationType,
    { title?: string; body?: string },
  ][]) {
    const builtin = builtinTemplates(type);
    const compile = (key: "title" | "body", text: string | undefined) => {
      if (text === undefined) return builtin[key];
      const compiled = compileTemplate(text);
      if (compiled.ok) return compiled.template;
      error(
        "template-syntax",
        [...at, "templates", type, key],
        `template does not compile: ${compiled.message}`,
      );
      return builtin[key];
    };
    templates[type] = { title: compile("title", pair.title), body: compile("body", pair.body) };
  }
  return {
    id,
    matchers,
    destinations: route.destinations,
    continue: route.continue ?? false,
    templates,
    actions: loadActions(id, at, route.actions),
  };
}

const compiledBuiltins = new Map<string, CompiledTemplates>();

/** The built-in templates for a destination type, compiled once per process. */
export function builtinTemplates(type: DestinationType): CompiledTemplates {
  const flavor = PLATFORM_LIMITS[type].flavor;
  const cached = compiledBuiltins.get(flavor);
  if (cached) return cached;
  const source = BUILTIN_TEMPLATES[flavor];
  const title = compileTemplate(source.title);
  const body = compileTemplate(source.body);
  if (!title.ok || !body.ok)
    throw new Error(`internal: built-in ${flavor} template does not compile`);
  const compiled = { title: title.template, body: body.template };
  compiledBuiltins.set(flavor, compiled);
  return compiled;
}
