import { z } from "zod";
import { durationField } from "../../../core/config/zod-fields.js";
import { DEFAULT_PROFILE_SETTINGS, FEATURE_TYPES } from "../profile/drift-profile.js";
import { DRIFT_METHODS } from "../evaluate/drift-methods.js";
import type { DriftMethod } from "../evaluate/drift-methods.js";

const methodList = z.array(z.enum(DRIFT_METHODS)).min(1);

const thresholds = z
  .strictObject(
    Object.fromEntries(DRIFT_METHODS.map((m) => [m, z.number().positive().optional()])) as Record<
      DriftMethod,
      z.ZodOptional<z.ZodNumber>
    >,
  )
  .describe("Thresholds by method: p-value for ks and chisquare, score for the others.");

const featureSettings = z.strictObject({
  type: z
    .enum(FEATURE_TYPES)
    .optional()
    .describe("Type when the reference is built from live records; must match a profile's."),
  methods: methodList.optional(),
  thresholds: thresholds.optional(),
  range: z
    .tuple([z.number(), z.number()])
    .optional()
    .describe(
      "[low, high]: values outside are out of range (default: the reference's min and max).",
    ),
});

const reference = z.union([
  z.strictObject({
    profile: z.string().min(1).describe("Profile JSON written by `aiwatch drift profile`."),
  }),
  z.strictObject({
    first_records: z
      .number()
      .int()
      .min(10)
      .describe("Build the reference from the first N records received."),
    bins: z.number().int().min(2).max(1000).default(DEFAULT_PROFILE_SETTINGS.bins),
    resolution: z.number().int().min(2).max(10_000).default(DEFAULT_PROFILE_SETTINGS.resolution),
    max_categories: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(DEFAULT_PROFILE_SETTINGS.max_categories),
  }),
]);

const tail = z.strictObject({
  path: z.string().min(1).describe("JSON-lines file of records (one object per line)."),
  from: z.enum(["end", "beginning"]).default("end"),
  features_field: z
    .string()
    .optional()
    .describe("Take the features from this field of each line instead of the line itself."),
  poll_interval: durationField().default("1s"),
  max_line_bytes: z.number().int().positive().default(1_048_576),
});

const window = z
  .strictObject({
    records: z.number().int().min(1).optional(),
    duration: durationField().optional(),
    panes: z.number().int().min(1).max(1000).default(10),
  })
  .refine((w) => w.records !== undefined || w.duration !== undefined, {
    message: "a window needs records, duration or both",
  });

const model = z.strictObject({
  name: z.string().min(1).max(200),
  reference,
  features: z
    .record(z.string(), featureSettings.nullable())
    .optional()
    .describe("The features to monitor (default: all of the reference's), with overrides."),
  max_features: z.number().int().positive().default(100),
  ignore_columns: z
    .array(z.string())
    .default([])
    .describe("Columns that are not features (ids, timestamps, predictions): never unexpected."),
  max_unexpected_columns: z
    .number()
    .int()
    .nonnegative()
    .default(20)
    .describe(
      "Distinct unexpected column names given a feature label; more are counted as __other__.",
    ),
  window: window.default({ records: 10_000, panes: 10 }),
  min_samples: z.number().int().min(1).default(100),
  methods: methodList.optional(),
  thresholds: thresholds.default({}),
  drift_share: z.number().gt(0).max(1).default(0.5),
  psi_epsilon: z.number().positive().max(0.1).default(0.0001),
  tail: z.array(tail).default([]),
});

export const driftConfigSchema = z.strictObject({
  models: z.array(model).min(1),
  evaluation_interval: durationField()
    .default("15s")
    .describe("How often scores are recomputed from the windows."),
  max_records_per_batch: z.number().int().positive().default(10_000),
});

export type DriftConfig = z.output<typeof driftConfigSchema>;
export type ModelConfig = DriftConfig["models"][number];
export type TailConfig = ModelConfig["tail"][number];
export type FeatureSettings = z.output<typeof featureSettings>;
