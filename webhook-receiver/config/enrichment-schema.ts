import { z } from "zod";
import { secretRefSchema } from "../../core/config/secret.js";
import { durationField } from "../../core/config/zod-fields.js";
import { LAYERS } from "../../spec/model/monitor.js";
import { ACTION_METHODS } from "../actions/action-config.js";

/**
 * The `enrichment:` and `actions:` sections of receiver.yaml and a route's `actions:`:
 * the format users write. load-enrichment.ts and load-actions.ts validate what the schema
 * cannot say and map them to AnalysisConfig and ActionConfig.
 */
const auth = {
  bearer_token: secretRefSchema.optional().describe("Sent as `Authorization: Bearer ...`."),
  basic_auth: z.strictObject({ username: z.string().min(1), password: secretRefSchema }).optional(),
  headers: z
    .record(z.string(), secretRefSchema)
    .optional()
    .describe("Extra headers, e.g. X-Scope-OrgID for Mimir; values are secrets."),
};

const apiEndpoint = z.strictObject({
  url: z.string().min(1).describe("Base URL of the API, e.g. http://alertmanager:9093."),
  ...auth,
});

const prometheusEndpoint = z.strictObject({
  url: z
    .string()
    .min(1)
    .describe(
      "Base URL of a Prometheus-compatible query API (Prometheus, Thanos Query, Mimir, VictoriaMetrics).",
    ),
  external_url: z
    .string()
    .min(1)
    .optional()
    .describe("Prometheus as browsers reach it, for links (default: url)."),
  ...auth,
});

const labelList = z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be a label name"));
const fraction = z.number().min(0).max(1);

const prior = z.strictObject({
  monitor: z.string().optional(),
  metric: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  xid: z.array(z.number().int().nonnegative()).min(1).optional(),
  weight: z.number().positive(),
  reason: z.string().min(1),
});

export const enrichmentSchema = z.strictObject({
  timeout: durationField()
    .optional()
    .describe("The total deadline: a message never waits longer for its evidence."),
  spec: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe("The aiwatch spec(s) rulegen compiles the rules from; relative to this file."),
  prometheus: prometheusEndpoint.optional(),
  alertmanager: apiEndpoint.optional().describe("For sibling alerts (API v2)."),
  grafana: z
    .strictObject({
      url: z.string().min(1),
      datasource_uid: z.string().min(1),
      org_id: z.number().int().positive().optional(),
    })
    .optional()
    .describe("For Explore links over the evidence window."),
  query_timeout: durationField().optional(),
  max_concurrency: z.number().int().min(1).max(64).optional(),
  lookback: durationField().optional(),
  horizon: durationField().optional(),
  cache_ttl: durationField().optional(),
  follow_up_for: durationField().optional(),
  topology: z
    .strictObject({
      gpu: labelList.optional(),
      node: labelList.optional(),
      pod: labelList.optional(),
      run: labelList.optional(),
      job: labelList.optional(),
      model: labelList.optional(),
      namespace: labelList.optional(),
      info_metrics: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  scoring: z
    .strictObject({
      min_score: fraction.optional(),
      z_min: z.number().nonnegative().optional(),
      z_full: z.number().positive().optional(),
      tolerance: durationField().optional(),
      after_alert_weight: fraction.optional(),
      firing_strength: fraction.optional(),
      locality: z
        .strictObject({
          gpu: fraction.optional(),
          node: fraction.optional(),
          workload: fraction.optional(),
          cluster: z
            .unknown()
            .refine(() => false, {
              message:
                "evidence that shares nothing with the alert no longer counts (timing alone is no reason): remove this key; link monitors by topology labels (enrichment.topology) or by the labels the spec declares (related: [{ monitor, on: [label] }])",
            })
            .optional(),
        })
        .optional(),
      priors: z.array(prior).optional().describe("Replaces the built-in priors."),
    })
    .optional(),
});

export const actionsSettingsSchema = z.strictObject({
  mode: z
    .enum(["off", "dry_run", "live"])
    .optional()
    .describe("off (default): no action is evaluated; dry_run: decided and logged, never called."),
  cooldown: durationField()
    .optional()
    .describe("An action runs at most once per alert group within this."),
  timeout: durationField().optional().describe("Default timeout of an action's call."),
});

export const actionSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_.-]+$/, "must use letters, digits, '_', '.' and '-' only"),
  when: z
    .strictObject({
      verdict: z
        .array(z.enum([...LAYERS, "unknown"]))
        .min(1)
        .optional(),
      min_confidence: fraction.optional(),
      layer: z.array(z.enum(LAYERS)).min(1).optional(),
      matchers: z.array(z.string()).optional(),
    })
    .optional(),
  method: z.enum(ACTION_METHODS).optional(),
  url: z.string().min(1),
  headers: z.record(z.string(), secretRefSchema).optional(),
  body: z.string().optional().describe("Handlebars template; {{json x}} writes a JSON literal."),
  dry_run: z.boolean().optional(),
  rate_limit: z.strictObject({ max: z.number().int().min(1), per: durationField() }).optional(),
  timeout: durationField().optional(),
});

export type EnrichmentFile = z.output<typeof enrichmentSchema>;
export type ActionFile = z.output<typeof actionSchema>;
export type ActionsSettingsFile = z.output<typeof actionsSettingsSchema>;
