/**
 * Which aiwatch family a logged key feeds. Trainers disagree on names (Hugging Face
 * logs `loss` and `eval_accuracy`, Lightning `train_loss_step` and `val_acc`, Keras
 * `val_loss`, LearningRateMonitor `lr-Adam`); this is the one place that knows them all.
 */
export type MetricTarget =
  | { readonly family: "loss"; readonly phase: string }
  | { readonly family: "eval_metric"; readonly metric: string }
  | {
      readonly family:
        | "learning_rate"
        | "grad_norm"
        | "epoch"
        | "step"
        | "max_steps"
        | "samples_per_second"
        | "tokens_per_second"
        | "step_time_seconds"
        | "loss_scale"
        | "skipped_iterations"
        | "nan_iterations";
    }
  | { readonly family: "other"; readonly metric: string };

// Maps, not object literals: keys are user text, and `toString` or `constructor` must not
// find Object.prototype's members.
const SINGLE: ReadonlyMap<string, MetricTarget> = new Map<string, MetricTarget>([
  ["learning_rate", { family: "learning_rate" }],
  ["lr", { family: "learning_rate" }],
  ["grad_norm", { family: "grad_norm" }],
  ["gradient_norm", { family: "grad_norm" }],
  ["epoch", { family: "epoch" }],
  ["step", { family: "step" }],
  ["global_step", { family: "step" }],
  ["max_steps", { family: "max_steps" }],
  ["samples_per_second", { family: "samples_per_second" }],
  ["train_samples_per_second", { family: "samples_per_second" }],
  ["tokens_per_second", { family: "tokens_per_second" }],
  ["train_tokens_per_second", { family: "tokens_per_second" }],
  ["step_time_seconds", { family: "step_time_seconds" }],
  ["loss_scale", { family: "loss_scale" }],
  // Counts since the previous record (Megatron's per-interval counts), added to counters.
  ["skipped_iterations", { family: "skipped_iterations" }],
  ["nan_iterations", { family: "nan_iterations" }],
]);

const EVAL_PREFIX = /^(eval|val|valid|validation)[_/](.+)$/;
/** Evaluation bookkeeping, not model quality: kept as plain metrics. */
const EVAL_BOOKKEEPING = /(^|_)(runtime|samples_per_second|steps_per_second)$/;
const PHASES: ReadonlyMap<string, string> = new Map([
  ["", "train"],
  ["train", "train"],
  ["training", "train"],
  ["eval", "eval"],
  ["val", "eval"],
  ["valid", "eval"],
  ["validation", "eval"],
]);

/**
 * Maps a key to its target. Rules, in order: the fixed names above; a Lightning
 * LearningRateMonitor key (`lr-Adam`, `lr-AdamW/pg1`); anything ending in `loss`
 * (`loss`, `val_loss`, `eval_g0_loss`, `train/loss`, and Lightning's `train_loss_step`)
 * is a loss whose phase is what precedes it, with val/validation spelled `eval`;
 * `eval_*`/`val_*` keys are evaluation metrics named by the rest; everything else is a
 * plain metric.
 */
export function classifyMetricKey(key: string): MetricTarget {
  const lower = key.toLowerCase();
  const single = SINGLE.get(lower);
  if (single) return single;
  if (/^lr-[^/]+(\/pg1)?$/.test(lower)) return { family: "learning_rate" };
  const loss = /^(?:(.*?)[_/.-])?loss(?:_step)?$/.exec(lower);
  if (loss) {
    const prefix = loss[1] ?? "";
    return { family: "loss", phase: PHASES.get(prefix) ?? prefix.replace(/[/.-]/g, "_") };
  }
  const evaluation = EVAL_PREFIX.exec(key);
  if (evaluation?.[2] && !EVAL_BOOKKEEPING.test(evaluation[2].toLowerCase()))
    return { family: "eval_metric", metric: evaluation[2] };
  return { family: "other", metric: key };
}

/**
 * `classifyMetricKey` behind a user's aliases (`{train_gen_loss: loss}`) and a cache:
 * ingest classifies the same few keys millions of times.
 */
export class MetricClassifier {
  private readonly cache = new Map<string, MetricTarget>();
  private readonly aliases: ReadonlyMap<string, string>;

  constructor(aliases: Readonly<Record<string, string>> = {}) {
    this.aliases = new Map(Object.entries(aliases));
  }

  classify(key: string): MetricTarget {
    let target = this.cache.get(key);
    if (target === undefined) {
      target = classifyMetricKey(this.aliases.get(key) ?? key);
      if (this.cache.size < 100_000) this.cache.set(key, target);
    }
    return target;
  }
}
