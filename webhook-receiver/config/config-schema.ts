import { z } from "zod";
import { secretRefSchema } from "../../core/config/secret.js";
import { durationField } from "../../core/config/zod-fields.js";
import { DESTINATION_TYPES } from "../destinations/destination.js";
import { actionSchema, actionsSettingsSchema, enrichmentSchema } from "./enrichment-schema.js";

/**
 * `receiver.yaml`: the format users write. load-config.ts validates it, resolves its
 * secrets, compiles matchers and templates, and maps it to ReceiverConfig, the model the
 * rest of the receiver works on.
 */
const rateLimit = z.strictObject({
  per_minute: z.number().positive().describe("Sustained messages per minute."),
  burst: z.number().int().positive().describe("Messages that may go out at once."),
});

const destinationCommon = {
  name: z.string().regex(/^[a-zA-Z0-9_.-]+$/, "must use letters, digits, '_', '.' and '-' only"),
  rate_limit: rateLimit.optional(),
  max_size: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("Size limit in the platform's unit, below its documented one if you need."),
  max_split: z
    .number()
    .int()
    .min(1)
    .max(10)
    .optional()
    .describe("Most messages one notification may be split into when the rate budget allows."),
  timeout: durationField().optional(),
};

const chatDestination = <T extends string>(type: T) =>
  z.strictObject({ ...destinationCommon, type: z.literal(type), url: secretRefSchema });

const signedDestination = <T extends string>(type: T) =>
  z.strictObject({
    ...destinationCommon,
    type: z.literal(type),
    url: secretRefSchema,
    secret: secretRefSchema
      .optional()
      .describe("Signing secret, when signing is enabled on the bot."),
  });

export const destinationSchema = z.discriminatedUnion("type", [
  chatDestination("slack"),
  signedDestination("dingtalk"),
  signedDestination("feishu"),
  chatDestination("wecom"),
  chatDestination("teams"),
  chatDestination("discord"),
  z.strictObject({
    ...destinationCommon,
    type: z.literal("webhook"),
    url: secretRefSchema,
    headers: z.record(z.string(), secretRefSchema).optional(),
  }),
  z.strictObject({
    ...destinationCommon,
    type: z.literal("email"),
    smtp: z.strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      secure: z.boolean().optional().describe("Implicit TLS (port 465)."),
      require_tls: z
        .boolean()
        .optional()
        .describe(
          "Refuse to send without STARTTLS. Default: true when username is set and secure is not.",
        ),
      username: z.string().optional(),
      password: secretRefSchema.optional(),
    }),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
  }),
  z.strictObject({ ...destinationCommon, type: z.literal("console") }),
]);

const templatePair = z.strictObject({
  title: z.string().optional(),
  body: z.string().optional(),
});

const templates = z
  .partialRecord(z.enum(DESTINATION_TYPES), templatePair)
  .describe("Handlebars templates per destination type, overriding the built-in ones.");

const route = z.strictObject({
  matchers: z.array(z.string()).optional(),
  destinations: z.array(z.string()).min(1),
  continue: z.boolean().optional(),
  templates: templates.optional(),
  actions: z
    .array(actionSchema)
    .optional()
    .describe("Automated actions (off unless actions.mode says so)."),
});

export const receiverConfigSchema = z.strictObject({
  web: z
    .strictObject({
      auth: z
        .strictObject({
          bearer_tokens: z.array(secretRefSchema).optional(),
          basic_auth: z
            .array(z.strictObject({ username: z.string().min(1), password: secretRefSchema }))
            .optional(),
        })
        .optional(),
      max_body_bytes: z.number().int().positive().optional(),
      external_url: z
        .string()
        .optional()
        .describe(
          "The receiver's URL as people's browsers reach it: messages link to its incident pages.",
        ),
    })
    .optional(),
  storage: z.strictObject({
    path: z.string().min(1).optional().describe("SQLite database file (one replica)."),
    synchronous: z.enum(["full", "normal"]).optional(),
    postgres: z
      .strictObject({
        url: secretRefSchema.describe("postgres://user:password@host:5432/db, a secret."),
        max_connections: z.number().int().min(2).max(100).optional(),
        prepared_statements: z
          .boolean()
          .optional()
          .describe(
            "Prepare the hot statements once per connection (default true); false behind PgBouncer in transaction mode before 1.21.",
          ),
      })
      .optional()
      .describe("PostgreSQL shared by several replicas, instead of path."),
    history_retention: durationField().optional(),
  }),
  limits: z
    .strictObject({
      max_alerts_per_group: z.number().int().min(1).optional(),
      max_labels_per_alert: z.number().int().min(1).optional(),
      max_label_length: z.number().int().min(16).optional(),
      max_annotation_length: z.number().int().min(16).optional(),
    })
    .optional()
    .describe("Bounds on the work one webhook may cause; larger ones are refused with 413."),
  dedup: z.strictObject({ window: durationField() }).optional(),
  delivery: z
    .strictObject({
      timeout: durationField().optional(),
      max_attempts: z.number().int().min(1).optional(),
      max_age: durationField().optional(),
      initial_backoff: durationField().optional(),
      max_backoff: durationField().optional(),
      max_digest: z.number().int().min(1).optional(),
    })
    .optional(),
  enrichment: enrichmentSchema.optional(),
  actions: actionsSettingsSchema.optional(),
  destinations: z.array(destinationSchema).min(1),
  routes: z.array(route).optional(),
  default_route: z.strictObject({
    destinations: z.array(z.string()).min(1),
    templates: templates.optional(),
    actions: z.array(actionSchema).optional(),
  }),
});

export type ReceiverConfigFile = z.output<typeof receiverConfigSchema>;
export type DestinationConfigFile = z.output<typeof destinationSchema>;
