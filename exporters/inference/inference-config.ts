import { z } from "zod";
import { durationField } from "../../core/config/zod-fields.js";

export const upstreamConfigSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1-128 letters, digits, _ . : -")
    .describe("The server label of the re-exposed series."),
  kind: z.enum(["vllm", "triton"]),
  url: z.url({ protocol: /^https?$/ }).describe("The server's /metrics URL."),
  scrape_interval: durationField().default("15s"),
  scrape_timeout: durationField().default("10s"),
  model_version: z
    .string()
    .max(256)
    .default("")
    .describe("model_version label for servers that do not export one (vLLM)."),
  keep_raw: z
    .boolean()
    .default(false)
    .describe("Also re-expose the server's own metrics verbatim, with a server label added."),
  max_response_bytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
});

export type UpstreamConfig = z.output<typeof upstreamConfigSchema>;

export const groundTruthConfigSchema = z.strictObject({
  ttl: durationField().default("24h").describe("Unlabelled predictions expire after this."),
  max_pending: z.number().int().positive().default(1_000_000),
  max_models: z.number().int().positive().default(100),
  numeric_tolerance: z.number().nonnegative().default(0),
  max_records_per_request: z.number().int().positive().default(10_000),
});

const GROUND_TRUTH_DEFAULTS = {
  ttl: "24h",
  max_pending: 1_000_000,
  max_models: 100,
  numeric_tolerance: 0,
  max_records_per_request: 10_000,
};

/** `collectors.inference` in exporter.yaml. */
export const inferenceConfigSchema = z.strictObject({
  ground_truth: groundTruthConfigSchema.default(GROUND_TRUTH_DEFAULTS),
  upstreams: z.array(upstreamConfigSchema).default([]),
});

export type InferenceConfig = z.output<typeof inferenceConfigSchema>;
