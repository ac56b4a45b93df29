import type { AxiosInstance } from "axios";
import { endpointClient, SourceError, transportReason } from "./http-endpoint.js";
import type { HttpEndpoint } from "./http-endpoint.js";
import type { Series } from "./series.js";

/** The two read calls of Prometheus's HTTP API the evidence needs. */
export interface PrometheusApi {
  queryRange(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal: AbortSignal,
  ): Promise<Series[]>;
  /** An instant query; each series comes back with its one sample. */
  query(expr: string, timeMs: number, signal: AbortSignal): Promise<Series[]>;
}

interface ApiBody {
  readonly status?: string;
  readonly error?: string;
  readonly errorType?: string;
  readonly data?: { readonly resultType?: string; readonly result?: unknown };
}

interface MatrixEntry {
  readonly metric?: Record<string, string>;
  readonly values?: readonly [number, string][];
  readonly value?: [number, string];
}

/**
 * Prometheus's HTTP API (also Thanos Query, Mimir, VictoriaMetrics), by POST so long
 * queries fit. 5xx, timeouts and connection errors are `unavailable` (worth retrying);
 * a 4xx (`bad_data`: the query is wrong) is `bad_request` and is not retried.
 * https://prometheus.io/docs/prometheus/latest/querying/api/
 */
export function prometheusApi(endpoint: HttpEndpoint, queryTimeoutMs: number): PrometheusApi {
  const http = endpointClient(endpoint, queryTimeoutMs);
  return {
    queryRange: (expr, startMs, endMs, stepMs, signal) =>
      call(http, "/api/v1/query_range", expr, signal, {
        start: seconds(startMs),
        end: seconds(endMs),
        step: seconds(stepMs),
      }),
    query: (expr, timeMs, signal) =>
      call(http, "/api/v1/query", expr, signal, { time: seconds(timeMs) }),
  };
}

async function call(
  http: AxiosInstance,
  path: string,
  expr: string,
  signal: AbortSignal,
  params: Record<string, string>,
): Promise<Series[]> {
  let status: number;
  let body: ApiBody;
  try {
    const response = await http.post<ApiBody>(
      path,
      new URLSearchParams({ query: expr, ...params }),
      {
        signal,
      },
    );
    status = response.status;
    body = typeof response.data === "object" && response.data !== null ? response.data : {};
  } catch (error) {
    throw new SourceError("prometheus", "unavailable", transportReason(error));
  }
  if (status >= 500 || status === 429 || status === 408)
    throw new SourceError("prometheus", "unavailable", `HTTP ${status} ${body.error ?? ""}`.trim());
  if (status !== 200 || body.status !== "success")
    throw new SourceError(
      "prometheus",
      "bad_request",
      `HTTP ${status} ${body.errorType ?? ""}: ${body.error ?? "unexpected answer"}`,
    );
  const result = Array.isArray(body.data?.result) ? (body.data.result as MatrixEntry[]) : [];
  return result.map((entry) => ({
    labels: entry.metric ?? {},
    samples: (entry.values ?? (entry.value ? [entry.value] : [])).map(([t, v]) => ({
      t: Math.round(t * 1000),
      v: sampleValue(v),
    })),
  }));
}

/** Prometheus writes special values as strings Number() does not read: +Inf, -Inf. */
function sampleValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
