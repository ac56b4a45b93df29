import type { TrainingRecord } from "../model/training-record.js";
import { parseLoggedNumber, snakeCase } from "./logged-number.js";

/** `iteration      30/    1000 |`, anywhere in the line (launchers prefix ranks and times). */
const ITERATION = /\biteration\s+(\d+)\s*\/\s*(\d+)\s*\|(.*)$/;
/** `validation loss at iteration 100 | lm loss value: ...`, and the end-of-training forms. */
const EVALUATION =
  /\b(validation|test) loss at (?:iteration (\d+)|the end of training)[^|]*\|(.*)$/;
/** Megatron-LM's own time stamp, `[2024-05-01 12:00:00]` before `iteration` (local time). */
const TIME_STAMP = /\[(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)\]/;

/** Keys of the iteration line with a name aiwatch knows. */
const KEYS: ReadonlyMap<string, string> = new Map([
  ["lm loss", "loss"],
  ["lm-loss", "loss"],
  // GPT-NeoX spells it with an underscore.
  ["lm_loss", "loss"],
  ["learning rate", "learning_rate"],
  ["grad norm", "grad_norm"],
  ["loss scale", "loss_scale"],
  ["number of skipped iterations", "skipped_iterations"],
  ["number of nan iterations", "nan_iterations"],
  ["samples per second", "samples_per_second"],
]);

/** What one line of a Megatron log holds: a record, with its unreadable fields. */
export interface MegatronLine {
  readonly record: TrainingRecord;
  readonly problems: readonly string[];
}

/**
 * Reads the logs of Megatron-LM and the trainers that print its `training_log` line
 * (Megatron-DeepSpeed, GPT-NeoX): one `iteration N/ M | key: value | ...` line per log
 * interval, and `validation loss at iteration N | lm loss value: ...` after evaluations.
 * `iteration` is the step; `lm loss` the train loss. The counts Megatron resets every
 * interval (skipped and NaN iterations) are passed on as such, to be added up. From the
 * elapsed time per iteration come the step time and, with the global batch size (and
 * the consumed tokens, when logged), the samples and tokens per second. Everything else
 * on the line is kept under its snake_case name (`params norm` → params_norm).
 */
export class MegatronLogParser {
  private previous: { readonly iteration: number; readonly tokens: number } | undefined;

  constructor(
    private readonly runId: string,
    private readonly jobName: string,
  ) {}

  reset(): void {
    this.previous = undefined;
  }

  /** A record for an iteration or evaluation line; undefined for every other line. */
  line(text: string): MegatronLine | undefined {
    const iteration = ITERATION.exec(text);
    if (iteration) return this.iteration(text, iteration);
    const evaluation = EVALUATION.exec(text);
    if (evaluation) return this.evaluation(evaluation);
    return undefined;
  }

  private iteration(text: string, match: RegExpExecArray): MegatronLine {
    const step = Number(match[1]);
    const maxSteps = Number(match[2]);
    const metrics = Object.create(null) as Record<string, number>;
    const problems: string[] = [];
    let batch: number | undefined;
    let tokens: number | undefined;
    for (const [key, value] of fields(match[3] ?? "", problems)) {
      const lower = key.toLowerCase();
      if (lower === "elapsed time per iteration (ms)") metrics["step_time_seconds"] = value / 1000;
      else if (lower === "global batch size") batch = value;
      else if (lower === "consumed tokens") tokens = value;
      if (lower !== "elapsed time per iteration (ms)")
        metrics[KEYS.get(lower) ?? lossKey(lower) ?? snakeCase(key)] = value;
    }
    const seconds = metrics["step_time_seconds"];
    if (seconds !== undefined && seconds > 0) {
      if (batch !== undefined && metrics["samples_per_second"] === undefined)
        metrics["samples_per_second"] = batch / seconds;
      const previous = this.previous;
      if (
        tokens !== undefined &&
        previous &&
        step > previous.iteration &&
        tokens >= previous.tokens
      )
        metrics["tokens_per_second"] =
          (tokens - previous.tokens) / (step - previous.iteration) / seconds;
    }
    if (tokens !== undefined) this.previous = { iteration: step, tokens };
    return {
      record: {
        runId: this.runId,
        jobName: this.jobName,
        step,
        timestampSeconds: timeStamp(text.slice(0, match.index)),
        metrics,
        maxSteps,
        status: step >= maxSteps ? "finished" : undefined,
      },
      problems,
    };
  }

  private evaluation(match: RegExpExecArray): MegatronLine {
    const phase = match[1] === "test" ? "test" : "eval";
    const metrics = Object.create(null) as Record<string, number>;
    const problems: string[] = [];
    for (const [key, value] of fields(match[3] ?? "", problems)) {
      // `lm loss value: 8.58 | lm loss PPL: 5334.1`
      const named = /^(.*?)\s+(value|ppl)$/i.exec(key.trim());
      const base = named?.[1] ?? key;
      const name = KEYS.get(base.toLowerCase()) ?? lossKey(base.toLowerCase()) ?? snakeCase(base);
      const perplexity = named?.[2]?.toLowerCase() === "ppl";
      // `lm loss PPL` is the perplexity (eval_perplexity); other losses keep their name.
      const metric = perplexity ? (name === "loss" ? "perplexity" : `${name}_perplexity`) : name;
      metrics[`${phase}_${metric}`] = value;
    }
    return {
      record: {
        runId: this.runId,
        jobName: this.jobName,
        step: match[2] === undefined ? undefined : Number(match[2]),
        metrics,
      },
      problems,
    };
  }
}

/** `mtp_1 loss`, `load_balancing_loss`, `z-loss` → `mtp_1_loss`, ...: a loss of that phase. */
function lossKey(key: string): string | undefined {
  return /(^|[\s_-])loss$/.test(key) ? snakeCase(key) : undefined;
}

/** The `key: value` fields between bars; a value that is not a number is a problem. */
function fields(text: string, problems: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (const part of text.split("|")) {
    const colon = part.lastIndexOf(":");
    if (colon < 0) continue;
    const key = part.slice(0, colon).trim();
    const raw = part.slice(colon + 1).trim();
    if (key === "") continue;
    const number = parseLoggedNumber(raw);
    if (number === undefined)
      problems.push(`${key}: expected a number, got ${JSON.stringify(raw)}`);
    else out.push([key, number.value]);
  }
  return out;
}

function timeStamp(prefix: string): number | undefined {
  const match = TIME_STAMP.exec(prefix);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}T${(match[2] ?? "").replace(",", ".")}Z`);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}
