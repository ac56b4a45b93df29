import { z } from "zod";
import { durationField } from "../../core/config/zod-fields.js";

const label = z.string().min(1).max(256);

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
  tailers: z.array(tailerConfigSchema).default([]),
});

export type TrainingConfig = z.output<typeof trainingConfigSchema>;
