import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { SecretRef } from "../../core/config/secret.js";
import { durationMs } from "../../core/config/zod-fields.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import type { SpecContext } from "../../spec/context/spec-context.js";
import type { AnalysisConfig } from "../evidence/analysis-config.js";
import type { HttpEndpoint } from "../evidence/http-endpoint.js";
import { DEFAULT_PRIORS } from "../evidence/priors.js";
import { DEFAULT_SCORING } from "../evidence/scoring.js";
import { DEFAULT_TOPOLOGY } from "../evidence/topology.js";
import type { MonitorBands } from "../incidents/monitor-bands.js";
import { compileSpecContext } from "./compile-spec-context.js";
import type { EnrichmentFile } from "./enrichment-schema.js";

type Path = (string | number)[];

export interface RefineTools {
  readonly configPath: string;
  readonly error: (code: string, at: Path, message: string) => void;
  /** Diagnostics found in another file (the spec), reported as they are. */
  readonly foreign: (diagnostics: readonly Diagnostic[]) => void;
  readonly secret: (ref: SecretRef, at: Path) => string;
  /** A value to redact like a secret although the config holds it in the clear (userinfo). */
  readonly sensitive: (value: string) => void;
}

export const ENRICHMENT_DEFAULTS = {
  queryTimeout: "1s",
  maxConcurrency: 4,
  lookback: "1h",
  horizon: "30m",
  cacheTtl: "5m",
  followUpFor: "10m",
  defaultStepMs: 15_000,
} as const;

/**
 * The analysis part of `enrichment:`: endpoints with their credentials resolved, the spec
 * compiled by rulegen's own pipeline (its errors are reported at their place in the spec),
 * topology and scoring with defaults applied. Undefined when no Prometheus is configured:
 * there is then nothing to analyse with.
 */
export function loadAnalysisConfig(
  file: EnrichmentFile | undefined,
  tools: RefineTools,
): AnalysisConfig | undefined {
  if (!file) return undefined;
  const at = (...rest: Path): Path => ["enrichment", ...rest];
  if (!file.prometheus) {
    if (file.spec !== undefined || file.alertmanager || file.grafana)
      tools.error(
        "missing-key",
        at(),
        "enrichment: the analysis needs `prometheus` (the spec, Alertmanager and Grafana are read with it)",
      );
    return undefined;
  }
  const prometheus = endpoint(file.prometheus, at("prometheus"), tools);
  const externalUrl =
    file.prometheus.external_url !== undefined
      ? httpUrl(file.prometheus.external_url, at("prometheus", "external_url"), tools)
      : // Links go to people: never with the credentials the receiver itself uses.
        withoutUserinfo(prometheus.url);
  const alertmanager = file.alertmanager
    ? endpoint(file.alertmanager, at("alertmanager"), tools)
    : undefined;
  const grafanaUrl = file.grafana ? httpUrl(file.grafana.url, at("grafana", "url"), tools) : "";
  const specs = file.spec !== undefined ? loadSpecs(file.spec, tools) : undefined;
  const spec = specs?.context;

  const lookbackMs = durationMs(file.lookback ?? ENRICHMENT_DEFAULTS.lookback);
  const horizonMs = durationMs(file.horizon ?? ENRICHMENT_DEFAULTS.horizon);
  if (horizonMs >= lookbackMs)
    tools.error(
      "invalid-value",
      at(file.horizon !== undefined ? "horizon" : "lookback"),
      `horizon (${file.horizon ?? ENRICHMENT_DEFAULTS.horizon}) must be shorter than lookback (${file.lookback ?? ENRICHMENT_DEFAULTS.lookback}): the rest of the lookback is each candidate's baseline`,
    );
  const scoringFile = file.scoring ?? {};
  const zMin = scoringFile.z_min ?? DEFAULT_SCORING.zMin;
  const zFull = scoringFile.z_full ?? DEFAULT_SCORING.zFull;
  if (zFull <= zMin)
    tools.error(
      "invalid-value",
      at("scoring", scoringFile.z_full !== undefined ? "z_full" : "z_min"),
      `z_full (${zFull}) must be greater than z_min (${zMin})`,
    );
  const scrapeIntervals = [...(spec?.monitors.values() ?? [])].map((m) => m.scrapeIntervalMs);
  const topologyFile = file.topology ?? {};
  return {
    spec,
    ...(specs ? { bands: specs.bands } : {}),
    prometheus,
    alertmanager,
    links: {
      prometheus: externalUrl,
      ...(file.grafana
        ? {
            grafana: {
              url: grafanaUrl,
              datasourceUid: file.grafana.datasource_uid,
              orgId: file.grafana.org_id ?? 1,
            },
          }
        : {}),
    },
    queryTimeoutMs: durationMs(file.query_timeout ?? ENRICHMENT_DEFAULTS.queryTimeout),
    maxConcurrency: file.max_concurrency ?? ENRICHMENT_DEFAULTS.maxConcurrency,
    lookbackMs,
    horizonMs,
    defaultStepMs:
      scrapeIntervals.length > 0 ? Math.min(...scrapeIntervals) : ENRICHMENT_DEFAULTS.defaultStepMs,
    cacheTtlMs: durationMs(file.cache_ttl ?? ENRICHMENT_DEFAULTS.cacheTtl),
    followUpForMs: durationMs(file.follow_up_for ?? ENRICHMENT_DEFAULTS.followUpFor),
    topology: {
      labels: {
        gpu: topologyFile.gpu ?? DEFAULT_TOPOLOGY.labels.gpu,
        node: topologyFile.node ?? DEFAULT_TOPOLOGY.labels.node,
        pod: topologyFile.pod ?? DEFAULT_TOPOLOGY.labels.pod,
        run: topologyFile.run ?? DEFAULT_TOPOLOGY.labels.run,
        job: topologyFile.job ?? DEFAULT_TOPOLOGY.labels.job,
        model: topologyFile.model ?? DEFAULT_TOPOLOGY.labels.model,
        namespace: topologyFile.namespace ?? DEFAULT_TOPOLOGY.labels.namespace,
      },
      infoMetrics: topologyFile.info_metrics ?? DEFAULT_TOPOLOGY.infoMetrics,
    },
    scoring: {
      ...DEFAULT_SCORING,
      zMin,
      zFull,
      minScore: scoringFile.min_score ?? DEFAULT_SCORING.minScore,
      // Two scrape intervals: a cause and its effect seen in the same scrape still count.
      toleranceMs:
        scoringFile.tolerance !== undefined
          ? durationMs(scoringFile.tolerance)
          : scrapeIntervals.length > 0
            ? 2 * Math.max(...scrapeIntervals)
            : DEFAULT_SCORING.toleranceMs,
      afterAlertWeight: scoringFile.after_alert_weight ?? DEFAULT_SCORING.afterAlertWeight,
      firingStrength: scoringFile.firing_strength ?? DEFAULT_SCORING.firingStrength,
      locality: {
        ...DEFAULT_SCORING.locality,
        ...definedOnly({
          gpu: scoringFile.locality?.gpu,
          node: scoringFile.locality?.node,
          workload: scoringFile.locality?.workload,
        }),
      },
    },
    priors: scoringFile.priors
      ? scoringFile.priors.map((p) => ({
          ...(p.monitor !== undefined ? { monitor: p.monitor } : {}),
          ...(p.metric !== undefined ? { metric: p.metric } : {}),
          ...(p.labels !== undefined ? { labels: p.labels } : {}),
          ...(p.xid !== undefined ? { xid: p.xid } : {}),
          weight: p.weight,
          reason: p.reason,
        }))
      : DEFAULT_PRIORS,
  };
}

type EndpointFile = {
  url: string;
  bearer_token?: SecretRef | undefined;
  basic_auth?: { username: string; password: SecretRef } | undefined;
  headers?: Record<string, SecretRef> | undefined;
};

function endpoint(file: EndpointFile, at: Path, tools: RefineTools): HttpEndpoint {
  const headers: Record<string, string> = {};
  for (const [name, ref] of Object.entries(file.headers ?? {}))
    headers[name] = tools.secret(ref, [...at, "headers", name]);
  if (file.bearer_token && file.basic_auth)
    tools.error("invalid-value", at, "set either bearer_token or basic_auth, not both");
  if (file.bearer_token)
    headers["authorization"] = `Bearer ${tools.secret(file.bearer_token, [...at, "bearer_token"])}`;
  if (file.basic_auth) {
    const password = tools.secret(file.basic_auth.password, [...at, "basic_auth", "password"]);
    headers["authorization"] =
      `Basic ${Buffer.from(`${file.basic_auth.username}:${password}`).toString("base64")}`;
    tools.sensitive(headers["authorization"]);
  }
  const url = httpUrl(file.url, [...at, "url"], tools);
  try {
    const parsed = new URL(url);
    for (const part of [parsed.username, parsed.password]) if (part) tools.sensitive(part);
  } catch {
    // httpUrl reported it
  }
  return { url, headers };
}

function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/+$/, "");
  } catch {
    return url;
  }
}

function httpUrl(text: string, at: Path, tools: RefineTools): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search !== "") {
    tools.error(
      "invalid-url",
      at,
      `expected an http:// or https:// base URL without a query, got ${JSON.stringify(text)}`,
    );
    return text;
  }
  return text.replace(/\/+$/, "");
}

function loadSpecs(
  spec: string | string[],
  tools: RefineTools,
): { context: SpecContext; bands: MonitorBands } | undefined {
  const paths = typeof spec === "string" ? [spec] : spec;
  const sources = [];
  for (const [i, path] of paths.entries()) {
    const file = resolve(dirname(tools.configPath), path);
    try {
      sources.push({ file, text: readFileSync(file, "utf8"), displayName: path });
    } catch (error) {
      tools.error(
        "io-error",
        typeof spec === "string" ? ["enrichment", "spec"] : ["enrichment", "spec", i],
        `cannot read spec ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  // The specs that could be read are checked even when another could not.
  const built = compileSpecContext(sources);
  if (!built.ok) {
    tools.foreign(built.diagnostics);
    return undefined;
  }
  return sources.length === paths.length
    ? { context: built.context, bands: built.bands }
    : undefined;
}

function definedOnly<T extends Record<string, number | undefined>>(
  record: T,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record).filter((e): e is [string, number] => e[1] !== undefined),
  );
}
