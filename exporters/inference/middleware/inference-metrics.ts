import type { IncomingMessage, ServerResponse } from "node:http";
import client from "prom-client";
import type { Registry } from "prom-client";
import { classifyStatus } from "./failure-class.js";
import { DEFAULT_IGNORED_PATHS, ignoredPath } from "./ignored-paths.js";
import { RequestTracker } from "./request-tracker.js";
import type { InferenceRequest, TrackerMetrics } from "./request-tracker.js";

/** LLM requests take from milliseconds (a cached classification) to minutes (a long generation). */
export const DEFAULT_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];
export const DEFAULT_TIME_TO_FIRST_TOKEN_BUCKETS = [
  0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10,
];

export interface ModelLabels {
  readonly model: string;
  readonly modelVersion?: string;
}

export interface InferenceMetricsOptions {
  /** The service's own registry. Never prom-client's global one: pass the one you serve. */
  readonly registry: Registry;
  /** Model labels of every request, unless `resolveModel` says otherwise. */
  readonly model: string;
  readonly modelVersion?: string;
  /** Per-request model labels, e.g. from a header; a handler can also call `request(res).model()`. */
  readonly resolveModel?: (req: IncomingMessage) => ModelLabels | undefined;
  /** Distinct model/version pairs labelled (default 20); requests beyond are `model="other"`. */
  readonly maxModels?: number;
  readonly durationBuckets?: readonly number[];
  readonly timeToFirstTokenBuckets?: readonly number[];
  /** Response status to failure class, or undefined for a success (default: `classifyStatus`). */
  readonly classifyStatus?: (status: number) => string | undefined;
  /**
   * Paths never measured: scrapes and health probes (default `DEFAULT_IGNORED_PATHS`;
   * pass `[...DEFAULT_IGNORED_PATHS, "/internal/status"]` to add, `[]` to measure all).
   */
  readonly ignorePaths?: readonly string[];
  /** Other requests not measured at all, besides `ignorePaths`. */
  readonly ignore?: (req: IncomingMessage) => boolean;
  /** Seconds on a monotonic clock; injectable for tests. */
  readonly now?: () => number;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface InferenceMetrics {
  /** Express/Connect middleware: `app.use(metrics.middleware)`. */
  readonly middleware: (
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ) => void;
  /** Wraps a plain `node:http` request listener: `createServer(metrics.wrap(handler))`. */
  wrap(handler: NodeHandler): NodeHandler;
  /** The measured request a response belongs to (a no-op when it is not measured). */
  request(res: ServerResponse): InferenceRequest;
}

/**
 * Request metrics for an inference service, registered on the service's registry:
 * `aiwatch_inference_request_duration_seconds`, `_requests_total`,
 * `_request_failures_total{class}`, `_in_flight_requests`, `_prompt_tokens_total`,
 * `_generated_tokens_total` and `_time_to_first_token_seconds`, all labelled with
 * `model` and `model_version`, and `_model_labels_folded_total` (requests over the
 * `maxModels` budget, labelled `model="other"`).
 *
 * Zero code beyond mounting it (scrapes and health probes are left out, see
 * `DEFAULT_IGNORED_PATHS`): durations, in-flight, failures (by status, aborted
 * connections, thrown handlers) are measured; streamed responses (`text/event-stream`,
 * NDJSON) time their first write as the first token; an OpenAI-style JSON body sent with
 * Express's `res.json` has its `usage` counted as tokens. Handlers can say more through
 * `request(res)`.
 */
export function createInferenceMetrics(options: InferenceMetricsOptions): InferenceMetrics {
  const registers = [options.registry];
  const labelNames = ["model", "model_version"] as const;
  const metrics: TrackerMetrics = {
    duration: new client.Histogram({
      name: "aiwatch_inference_request_duration_seconds",
      help: "End-to-end request latency.",
      labelNames,
      buckets: [...(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS)],
      registers,
    }),
    requests: new client.Counter({
      name: "aiwatch_inference_requests_total",
      help: "Requests finished (including failed ones).",
      labelNames,
      registers,
    }),
    failures: new client.Counter({
      name: "aiwatch_inference_request_failures_total",
      help: "Requests that failed, by class.",
      labelNames: [...labelNames, "class"],
      registers,
    }),
    inFlight: new client.Gauge({
      name: "aiwatch_inference_in_flight_requests",
      help: "Requests being served.",
      labelNames,
      registers,
    }),
    promptTokens: new client.Counter({
      name: "aiwatch_inference_prompt_tokens_total",
      help: "Prompt tokens processed.",
      labelNames,
      registers,
    }),
    generatedTokens: new client.Counter({
      name: "aiwatch_inference_generated_tokens_total",
      help: "Tokens generated.",
      labelNames,
      registers,
    }),
    timeToFirstToken: new client.Histogram({
      name: "aiwatch_inference_time_to_first_token_seconds",
      help: "Time from request to the first generated token.",
      labelNames,
      buckets: [...(options.timeToFirstTokenBuckets ?? DEFAULT_TIME_TO_FIRST_TOKEN_BUCKETS)],
      registers,
    }),
  };
  // No model label: the models it counts are the ones the budget keeps out of the labels.
  const folded = new client.Counter({
    name: "aiwatch_inference_model_labels_folded_total",
    help: 'Requests labelled model="other" because maxModels model/version pairs were already labelled.',
    registers,
  });
  const now = options.now ?? (() => performance.now() / 1000);
  const classify = options.classifyStatus ?? classifyStatus;
  const maxModels = options.maxModels ?? 20;
  const seenModels = new Set<string>();
  const labelsFor = (labels: ModelLabels | undefined): { model: string; model_version: string } => {
    const model = labels?.model ?? options.model;
    const version = labels?.modelVersion ?? (labels ? "" : (options.modelVersion ?? ""));
    const key = `${model}\u0000${version}`;
    if (!seenModels.has(key)) {
      if (seenModels.size >= maxModels) {
        folded.inc();
        return { model: "other", model_version: "" };
      }
      seenModels.add(key);
    }
    return { model, model_version: version };
  };
  const trackers = new WeakMap<ServerResponse, RequestTracker>();
  const ignoredByPath = ignoredPath(options.ignorePaths ?? DEFAULT_IGNORED_PATHS);
  const begin = (req: IncomingMessage, res: ServerResponse): RequestTracker | undefined => {
    if (ignoredByPath(req) || options.ignore?.(req) || trackers.has(res)) return trackers.get(res);
    const tracker = new RequestTracker(res, metrics, labelsFor(options.resolveModel?.(req)), {
      now,
      classify,
      relabel: (labels) => labelsFor(labels),
    });
    trackers.set(res, tracker);
    return tracker;
  };
  return {
    middleware: (req, res, next) => {
      begin(req, res);
      next();
    },
    wrap: (handler) => (req, res) => {
      const tracker = begin(req, res);
      try {
        const result = handler(req, res);
        if (result instanceof Promise)
          return result.catch((error: unknown) => {
            tracker?.fail("exception");
            throw error;
          });
        return result;
      } catch (error) {
        tracker?.fail("exception");
        throw error;
      }
    },
    request: (res) => trackers.get(res) ?? NO_OP_REQUEST,
  };
}

const NO_OP_REQUEST: InferenceRequest = {
  firstToken: () => undefined,
  tokens: () => undefined,
  model: () => undefined,
  fail: () => undefined,
};
