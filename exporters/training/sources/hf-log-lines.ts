import type { TrainingRecord } from "../model/training-record.js";
import { parsePythonLiteral } from "./python-literal.js";

/** How the Trainer's log dicts start (`Trainer.log`: training, evaluation, the summary). */
const TRAINER_LOG = /^\{'(loss|eval_|train_|learning_rate|grad_norm|epoch)/;

/** tqdm's progress bar: `  5%|▌         | 50/1000 [00:10<03:10,  5.00it/s]`. */
const PROGRESS = /(\d+)\/(\d+) \[[^\]]*\]/;

/**
 * Reads a Hugging Face Trainer's stdout/stderr log. The Trainer prints each log as a
 * Python dict repr (`{'loss': 0.69, 'learning_rate': 5e-05, 'epoch': 0.5}`) without the
 * step; the step comes from the tqdm progress bar (`50/1000 [...]`) printed on the same
 * stream, which also gives max_steps. A dict with `train_runtime` is the final summary:
 * the run finished.
 */
export class HfLogParser {
  private step: number | undefined;
  private maxSteps: number | undefined;

  constructor(
    private readonly runId: string,
    private readonly jobName: string,
  ) {}

  /**
   * A record for a log line, undefined for progress bars and other output, `invalid` for
   * a line that holds a log dict (`{'...`) which does not parse (a garbled or cut write).
   */
  line(text: string): TrainingRecord | { readonly invalid: string } | undefined {
    const progress = PROGRESS.exec(text);
    if (progress) {
      this.step = Number(progress[1]);
      this.maxSteps = Number(progress[2]);
    }
    const open = text.indexOf("{'");
    const close = text.lastIndexOf("}");
    if (open < 0) return undefined;
    // Users print their own dicts too (configs, with reprs no literal parser reads): only
    // a dict that starts like the Trainer's logs is an error when it does not parse.
    const trainerLog = TRAINER_LOG.test(text.slice(open));
    if (close < open)
      return trainerLog ? { invalid: "a log dict without its closing }" } : undefined;
    let parsed: unknown;
    try {
      parsed = parsePythonLiteral(text.slice(open, close + 1));
    } catch (error) {
      if (!trainerLog) return undefined;
      return {
        invalid: `not a Python dict: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    const entry = parsed as Record<string, unknown>;
    const summary = "train_runtime" in entry;
    const metrics = Object.create(null) as Record<string, number>;
    let any = false;
    for (const key in entry) {
      const value = entry[key];
      if (typeof value !== "number" || key === "step") continue;
      metrics[summary && key === "train_loss" ? "train_loss_average" : key] = value;
      any = true;
    }
    if (!any) return undefined;
    const step = typeof entry["step"] === "number" ? entry["step"] : this.step;
    return {
      runId: this.runId,
      jobName: this.jobName,
      step,
      metrics,
      maxSteps: this.maxSteps,
      status: summary ? "finished" : undefined,
    };
  }
}
