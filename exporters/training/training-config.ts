import { z } from "zod";
import { durationField } from "../../core/config/zod-fields.js";
import { MAX_RANK } from "./ingest/validate-training-record.js";
import { statisticsConfigSchema } from "./statistics/statistics-config.js";

const label = z.string().min(1).max(256);

/**
 * A regular expression with named groups: at least one that is a metric or names one
 * (`metric`/`value`), so that a matching line carries something.
 */
const logPattern = z.string().superRefine((text, context) => {
  let pattern: RegExp;
  try {
    pattern = new RegExp(text);
  } catch (error) {
    context.addIssue({
      code: "custom",
      message: `not a regular expression: ${(error as Error).message}`,
    });
    return;
  }
  const groups = [...pattern.source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]);
  const metrics = groups.filter(
    (g) => g !== undefined && !["step", "iteration", "max_steps", "timestamp", "phase"].includes(g),
  );
  if (metrics.length === 0)
    context.addIssue({
      code: "custom",
      message:
        "expected named groups for the values, e.g. (?<step>\\d+).*loss (?<loss>\\S+); a group named metric with one named value also works",
    });
});

/** Fields every file tailer shares. */
const fileTailer = {
  /** Shown in logs; defaults to `<kind>:<path>`. */
  name: z.string().min(1).optional(),
  path: z
    .string()
    .min(1)
    .describe("File (or directory) to follow; relative to the working directory."),
  run_id: label
    .optional()
    .describe("run_id label; defaults to the name of the directory holding the file."),
  job_name: label.describe("job_name label: what the run belongs to (a training job, a sweep)."),
  rank: z
    .number()
    .int()
    .min(0)
    .max(MAX_RANK)
    .optional()
    .describe(
      "rank label: the process of a distributed job whose log this is (one tailer per rank's file).",
    ),
  poll_interval: durationField().default("5s"),
};

export const tailerConfigSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("hf_trainer_state"), ...fileTailer }),
  z.strictObject({ kind: z.literal("hf_log"), ...fileTailer }),
  z.strictObject({ kind: z.literal("lightning_csv"), ...fileTailer }),
  z.strictObject({
    kind: z.literal("keras_csv"),
    ...fileTailer,
    separator: z.string().min(1).default(","),
  }),
  z.strictObject({ kind: z.literal("json_lines"), ...fileTailer }),
  z.strictObject({ kind: z.literal("megatron"), ...fileTailer }),
  z.strictObject({ kind: z.literal("nanogpt"), ...fileTailer }),
  z.strictObject({
    kind: z.literal("regex"),
    ...fileTailer,
    patterns: z
      .array(logPattern)
      .min(1)
      .describe("Regular expressions (JavaScript syntax) with named groups; the first match wins."),
  }),
  z.strictObject({
    kind: z.literal("mlflow"),
    name: fileTailer.name,
    path: fileTailer.path,
    job_name: label
      .optional()
      .describe("job_name of every run; defaults to the experiment's name."),
    poll_interval: fileTailer.poll_interval,
  }),
]);

export type TailerConfig = z.output<typeof tailerConfigSchema>;

/** `collectors.training` in exporter.yaml. */
export const trainingConfigSchema = z.strictObject({
  max_records_per_request: z.number().int().positive().default(10_000),
  max_runs: z.number().int().positive().default(10_000),
  max_metrics_per_run: z.number().int().positive().default(500),
  other_metrics: z
    .boolean()
    .default(true)
    .describe("Expose logged keys without a dedicated family as aiwatch_training_metric{metric}."),
  metric_aliases: z
    .record(z.string().min(1), z.string().min(1))
    .default({})
    .describe("Logged key -> the key aiwatch should read it as, e.g. {train_gen_loss: loss}."),
  retention: z
    .strictObject({
      finished: durationField().default("1h"),
      idle: durationField().default("24h"),
    })
    .default({ finished: "1h", idle: "24h" }),
  statistics: statisticsConfigSchema,
  tailers: z.array(tailerConfigSchema).default([]),
});

export type TrainingConfig = z.output<typeof trainingConfigSchema>;
