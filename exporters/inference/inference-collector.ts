import type { CollectorDefinition } from "../collector.js";
import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import { durationMs } from "../../core/config/zod-fields.js";
import { PollLoop } from "../training/tailers/poll-loop.js";
import { createGroundTruthFamilies } from "./ground-truth/ground-truth-families.js";
import { groundTruthRoutes } from "./ground-truth/ground-truth-routes.js";
import { GroundTruthStore } from "./ground-truth/ground-truth-store.js";
import { inferenceConfigSchema } from "./inference-config.js";
import type { InferenceConfig } from "./inference-config.js";
import { createNormalisedFamilies } from "./upstream/normalised-families.js";
import { TRITON_DIALECT } from "./upstream/triton-dialect.js";
import { RawFamilies, UpstreamTarget } from "./upstream/upstream-target.js";
import { VLLM_DIALECT } from "./upstream/vllm-dialect.js";

const DIALECTS = { vllm: VLLM_DIALECT, triton: TRITON_DIALECT } as const;

/**
 * `collectors.inference`: the ground-truth join (`POST /api/v1/inference/predictions`
 * and `/labels`) and model servers' /metrics (vLLM, Triton) re-exposed under aiwatch's
 * inference names. The request middleware runs in the user's service, not here.
 */
export const inferenceCollector: CollectorDefinition<typeof inferenceConfigSchema> = {
  type: "inference",
  acceptsData: true,
  configSchema: inferenceConfigSchema,
  validate(config, document, path) {
    const diagnostics: Diagnostic[] = [];
    const at = (where: (string | number)[], code: string, message: string) =>
      diagnostics.push({
        code,
        severity: "error",
        message,
        file: document.file,
        position: document.positionOf([...path, ...where]),
        path: [...path, ...where],
      });
    const names = new Map<string, number>();
    config.upstreams.forEach((upstream, index) => {
      const first = names.get(upstream.name);
      if (first !== undefined)
        at(
          ["upstreams", index, "name"],
          "duplicate-name",
          `upstreams[${index}] has the same name as upstreams[${first}]: ${upstream.name}`,
        );
      else names.set(upstream.name, index);
      if (durationMs(upstream.scrape_timeout) > durationMs(upstream.scrape_interval))
        at(
          ["upstreams", index, "scrape_timeout"],
          "invalid-value",
          `scrape_timeout ${upstream.scrape_timeout} is longer than scrape_interval ${upstream.scrape_interval}`,
        );
    });
    return diagnostics;
  },
  create(context) {
    const config: InferenceConfig = context.config;
    const store = new GroundTruthStore(
      createGroundTruthFamilies(context.families),
      {
        ttlMs: durationMs(config.ground_truth.ttl),
        maxPending: config.ground_truth.max_pending,
        maxModels: config.ground_truth.max_models,
        numericTolerance: config.ground_truth.numeric_tolerance,
      },
      context.now,
    );
    const normalised = createNormalisedFamilies(context.families);
    const up = context.families.gauge<"server" | "kind">({
      name: "aiwatch_inference_upstream_up",
      help: "1 if the model server's last scrape succeeded, 0 if not.",
      labelNames: ["server", "kind"],
    });
    const raw = new RawFamilies(context.families);
    const targets = config.upstreams.map((upstream) => ({
      source: new UpstreamTarget(
        {
          name: upstream.name,
          kind: upstream.kind,
          url: upstream.url,
          timeoutMs: durationMs(upstream.scrape_timeout),
          maxBytes: upstream.max_response_bytes,
          modelVersion: upstream.model_version,
          keepRaw: upstream.keep_raw,
          dialect: DIALECTS[upstream.kind],
          fetch: globalThis.fetch,
        },
        normalised,
        raw,
        up,
      ),
      intervalMs: durationMs(upstream.scrape_interval),
    }));
    const loop = new PollLoop(targets, context.health, context.logger, context.now);
    const sweepEveryMs = Math.max(100, Math.min(10_000, durationMs(config.ground_truth.ttl) / 10));
    let sweeper: NodeJS.Timeout | undefined;
    return {
      router: groundTruthRoutes({
        store,
        health: context.health,
        maxRecordsPerRequest: config.ground_truth.max_records_per_request,
        now: context.now,
      }),
      async start() {
        if (targets.length === 0) context.health.succeeded(0);
        await loop.start();
        sweeper = setInterval(() => store.sweep(), sweepEveryMs);
        sweeper.unref();
      },
      async stop() {
        if (sweeper) clearInterval(sweeper);
        await loop.stop();
      },
    };
  },
};
