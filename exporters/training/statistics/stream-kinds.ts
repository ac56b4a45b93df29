import type { MetricTarget } from "../model/metric-mapping.js";
import type { StreamKind } from "./statistics-config.js";

export interface StreamIdentity {
  /** The `metric` label of the statistics series: `loss`, `eval_loss`, `grad_norm`, ... */
  readonly name: string;
  readonly kind: StreamKind;
  readonly higherIsBetter: boolean;
}

/** Evaluation metrics where lower is better; every other one is read as a score. */
const LOWER_IS_BETTER = /(^|_)(loss|perplexity|ppl|error|err|wer|cer|mse|mae|rmse|nll)($|_)/i;

/**
 * Which logged values get step-resolution statistics, under which name. Losses of any
 * phase, the grad norm, evaluation metrics and throughput: the signals training
 * incidents show in. Learning rate, epoch and free-form metrics have none (their changes
 * are the schedule's, not incidents), which keeps the memory per run small.
 */
export function streamOf(target: MetricTarget): StreamIdentity | undefined {
  // Targets are the classifier's cached objects: their identities are made once.
  let identity = identities.get(target);
  if (identity === undefined) {
    identity = identify(target) ?? null;
    identities.set(target, identity);
  }
  return identity ?? undefined;
}

const identities = new WeakMap<MetricTarget, StreamIdentity | null>();

function identify(target: MetricTarget): StreamIdentity | undefined {
  switch (target.family) {
    case "loss":
      return target.phase === "train"
        ? { name: "loss", kind: "loss", higherIsBetter: false }
        : target.phase === "eval"
          ? { name: "eval_loss", kind: "eval", higherIsBetter: false }
          : { name: `${target.phase}_loss`, kind: "loss", higherIsBetter: false };
    case "grad_norm":
      return { name: "grad_norm", kind: "grad_norm", higherIsBetter: false };
    case "eval_metric":
      return {
        name: `eval_${target.metric}`,
        kind: "eval",
        higherIsBetter: !LOWER_IS_BETTER.test(target.metric),
      };
    case "samples_per_second":
    case "tokens_per_second":
      return { name: target.family, kind: "throughput", higherIsBetter: true };
    default:
      return undefined;
  }
}
