import type { TrainingRecord } from "../model/training-record.js";
import { parseLoggedNumber, snakeCase } from "./logged-number.js";

/** modded-nanogpt: `step:125/5100 train_loss:4.2 train_time:27ms step_avg:45.2ms`. */
const MODDED = /^step:(\d+)\/(\d+)\s+(.*)$/;
/** nanoGPT: `iter 10: loss 2.7512, time 30728.83ms, mfu 12.5%`. */
const ITER = /^iter (\d+): (.*)$/;
/** nanoGPT's evaluation: `step 250: train loss 1.9, val loss 2.0`. */
const EVAL = /^step (\d+): (.*)$/;
/** llm.c and its train_gpt2.py: `step    1/19560 | loss 11.0 (+0.00z)| norm 15.4 | ...`. */
const LLMC_STDOUT = /^step\s+(\d+)\/(\d+)\s*\|(.*)$/;
/** llm.c's log file (-o): `s:0 trl:11.0091 lr:0.000001 norm:15.37`, `s:250 tel:6.1710`. */
const LLMC_FILE = /^s:(\d+)\s+(.*)$/;

/** Keys of these logs with a name aiwatch knows. */
const KEYS: ReadonlyMap<string, string> = new Map([
  ["train_loss", "loss"],
  ["trl", "loss"],
  ["loss", "loss"],
  ["val_loss", "eval_loss"],
  ["tel", "eval_loss"],
  ["norm", "grad_norm"],
  ["lr", "learning_rate"],
  ["tok/s", "tokens_per_second"],
  ["time", "step_time_seconds"],
  ["val loss", "eval_loss"],
  // nanoGPT's evaluation estimates the train loss over eval batches: not the step's loss.
  ["train loss", "eval_train_loss"],
]);

export interface NanoGptLine {
  readonly record: TrainingRecord;
  readonly problems: readonly string[];
}

/**
 * Reads the nanoGPT family's stdout logs: modded-nanogpt's `step:N/M key:value ...`
 * (the speedrun records), nanoGPT's `iter N: loss X, time Yms, mfu Z%` and its
 * `step N: train loss X, val loss Y`, llm.c's `step N/M | loss X | norm Y | ...` and its
 * `s:N trl:X` log file. Lines must start with these (the script source that
 * modded-nanogpt logs first has them indented, inside f-strings). modded-nanogpt's
 * cumulative `train_time` gives the time per step between two lines; its `step_avg`, a
 * running mean of the same, is left out.
 */
export class NanoGptLogParser {
  private lastTrainTime: { readonly step: number; readonly seconds: number } | undefined;

  constructor(
    private readonly runId: string,
    private readonly jobName: string,
  ) {}

  reset(): void {
    this.lastTrainTime = undefined;
  }

  /** A record for a step line; undefined for every other line. */
  line(text: string): NanoGptLine | undefined {
    let match = MODDED.exec(text);
    if (match) return this.modded(match);
    if ((match = LLMC_FILE.exec(text)))
      return this.pairs(Number(match[1]), undefined, match[2] ?? "", /\s+/, ":");
    if ((match = ITER.exec(text)))
      return this.pairs(Number(match[1]), undefined, match[2] ?? "", /,\s*/, " ");
    if ((match = LLMC_STDOUT.exec(text))) return this.llmc(match);
    if ((match = EVAL.exec(text)))
      return this.pairs(Number(match[1]), undefined, match[2] ?? "", /,\s*/, " ");
    return undefined;
  }

  private modded(match: RegExpExecArray): NanoGptLine {
    const step = Number(match[1]);
    const maxSteps = Number(match[2]);
    const parsed = this.pairs(step, maxSteps, match[3] ?? "", /\s+/, ":");
    const metrics = parsed.record.metrics as Record<string, number>;
    const trainTime = metrics["train_time_seconds"];
    delete metrics["train_time_seconds"];
    delete metrics["step_avg_seconds"];
    if (trainTime !== undefined && Number.isFinite(trainTime)) {
      const last = this.lastTrainTime;
      if (last && step > last.step && trainTime >= last.seconds)
        metrics["step_time_seconds"] = (trainTime - last.seconds) / (step - last.step);
      this.lastTrainTime = { step, seconds: trainTime };
    }
    return {
      ...parsed,
      record: { ...parsed.record, status: step >= maxSteps ? "finished" : undefined },
    };
  }

  private llmc(match: RegExpExecArray): NanoGptLine {
    const metrics = Object.create(null) as Record<string, number>;
    const problems: string[] = [];
    for (const field of (match[3] ?? "").split("|")) {
      // `loss 11.009 (+0.00z)`, `(123.45 ms`, `12345 tok/s)`, `45.2% bf16 MFU`
      const text = field
        .replace(/\([+-][\d.]+z\)/, "")
        .replace(/[()]/g, "")
        .trim();
      if (text === "") continue;
      const unitFirst = /^(\S+)\s*(ms|tok\/s|% bf16 MFU|%.*MFU)$/i.exec(text);
      if (unitFirst) {
        const value = parseLoggedNumber(unitFirst[1] ?? "");
        const unit = (unitFirst[2] ?? "").toLowerCase();
        if (value === undefined)
          problems.push(`${unit}: expected a number, got ${JSON.stringify(unitFirst[1])}`);
        else if (unit === "ms") metrics["step_time_seconds"] = value.value / 1000;
        else if (unit === "tok/s") metrics["tokens_per_second"] = value.value;
        else metrics["mfu"] = value.value / 100;
        continue;
      }
      const pair = /^(.*\S)\s+(\S+)$/.exec(text);
      // Here `train loss` is the step's own loss, not nanoGPT's evaluation estimate.
      const key = pair?.[1]?.toLowerCase() === "train loss" ? "loss" : (pair?.[1] ?? "");
      if (pair) add(metrics, problems, key, pair[2] ?? "");
    }
    return {
      record: {
        runId: this.runId,
        jobName: this.jobName,
        step: Number(match[1]),
        maxSteps: Number(match[2]),
        metrics,
      },
      problems,
    };
  }

  private pairs(
    step: number,
    maxSteps: number | undefined,
    text: string,
    separator: RegExp,
    between: string,
  ): NanoGptLine {
    const metrics = Object.create(null) as Record<string, number>;
    const problems: string[] = [];
    for (const part of text.split(separator)) {
      const at = between === ":" ? part.indexOf(":") : part.lastIndexOf(" ");
      if (at <= 0) continue;
      add(metrics, problems, part.slice(0, at).trim(), part.slice(at + 1).trim());
    }
    return {
      record: { runId: this.runId, jobName: this.jobName, step, maxSteps, metrics },
      problems,
    };
  }
}

/** One `key value` of a line, in base units; `mfu -100%` is nanoGPT's "not measured yet". */
function add(metrics: Record<string, number>, problems: string[], key: string, raw: string): void {
  const number = parseLoggedNumber(raw);
  if (number === undefined) {
    problems.push(`${key}: expected a number, got ${JSON.stringify(raw)}`);
    return;
  }
  const lower = key.toLowerCase();
  if (lower === "mfu" && number.value < 0) return;
  const known = KEYS.get(lower);
  const name = known ?? snakeCase(key);
  metrics[known === undefined && number.unit === "s" ? `${name}_seconds` : name] = number.value;
}
