import { jsonNumber, postJson } from "./post-json.js";
import type { PostResult } from "./post-json.js";

export interface TrainingClientOptions {
  /** The exporter's base URL, e.g. `http://aiwatch-exporter:9401`. */
  readonly url: string;
  /** A bearer token the exporter accepts (`auth.bearer_tokens`). */
  readonly token: string;
  readonly runId: string;
  readonly jobName: string;
  /** This process's rank, when each rank of a distributed job reports its own series. */
  readonly rank?: number;
  /** Records per request (default 500); a full batch is sent at once. */
  readonly batchSize?: number;
  /** Buffered records are sent at least this often (default 5000 ms; 0: only on flush). */
  readonly flushIntervalMs?: number;
  /** Records kept while the exporter is unreachable (default 10,000); the oldest go first. */
  readonly maxBufferedRecords?: number;
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  /** Told about batches the exporter refused and records dropped; never throws into training. */
  readonly onError?: (error: TrainingClientError) => void;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface TrainingClientError {
  readonly message: string;
  readonly status: number | undefined;
  /** The exporter's per-record errors for a 400 (index within the batch, field, message). */
  readonly details: unknown;
  readonly droppedRecords: number;
}

interface WireRecord {
  readonly run_id: string;
  readonly job_name: string;
  readonly rank?: number;
  readonly step?: number;
  readonly timestamp?: number;
  readonly metrics?: Record<string, number | string>;
  readonly status?: "running" | "finished" | "failed";
  readonly max_steps?: number;
}

/**
 * Sends a training run's metrics to `POST /api/v1/training/events`, batched, in the
 * background. Logging never blocks or throws into the training loop: failures go to
 * `onError`. Call `finish()` (or `close()`) at the end so the last batch is sent.
 *
 * ```ts
 * const run = new TrainingClient({ url, token, runId: "llama-ft-42", jobName: "llama-ft" });
 * run.log(step, { loss, learning_rate: lr, grad_norm });
 * await run.finish();
 * ```
 */
export class TrainingClient {
  private buffer: WireRecord[] = [];
  private sending: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly endpoint: string;

  constructor(private readonly options: TrainingClientOptions) {
    this.endpoint = `${options.url.replace(/\/+$/, "")}/api/v1/training/events`;
    const every = options.flushIntervalMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => void this.flush(), every);
      this.timer.unref();
    }
  }

  /** Buffers one step's values (NaN and infinities included: they are what alerts look for). */
  log(
    step: number,
    metrics: Readonly<Record<string, number>>,
    options: { readonly timestamp?: Date } = {},
  ): void {
    const wire: Record<string, number | string> = {};
    for (const [name, value] of Object.entries(metrics)) wire[name] = jsonNumber(value);
    this.push({
      ...this.identity(),
      step,
      timestamp: (options.timestamp ?? new Date()).getTime() / 1000,
      metrics: wire,
    });
  }

  /** How many steps the run will take (`aiwatch_training_max_steps`). */
  maxSteps(maxSteps: number): void {
    this.push({ ...this.identity(), max_steps: maxSteps });
  }

  /** Marks the run finished (or failed), sends everything, and stops the timer. */
  async finish(status: "finished" | "failed" = "finished"): Promise<void> {
    this.push({ ...this.identity(), status });
    await this.close();
  }

  /** The labels every record of the run carries. */
  private identity(): Pick<WireRecord, "run_id" | "job_name" | "rank"> {
    const { runId, jobName, rank } = this.options;
    return rank === undefined
      ? { run_id: runId, job_name: jobName }
      : { run_id: runId, job_name: jobName, rank };
  }

  /** Sends what is buffered now; resolves when it has been answered. */
  flush(): Promise<void> {
    this.sending = this.sending.then(() => this.sendAll());
    return this.sending;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private push(record: WireRecord): void {
    this.buffer.push(record);
    const max = this.options.maxBufferedRecords ?? 10_000;
    if (this.buffer.length > max) {
      const dropped = this.buffer.splice(0, this.buffer.length - max).length;
      this.report({
        message: "buffer full: oldest records dropped",
        status: undefined,
        details: undefined,
        droppedRecords: dropped,
      });
    }
    if (this.buffer.length >= (this.options.batchSize ?? 500)) void this.flush();
  }

  private async sendAll(): Promise<void> {
    const size = this.options.batchSize ?? 500;
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, size);
      const result = await this.post(batch);
      if (!result.ok && result.status === undefined) {
        // The exporter is unreachable: keep the records for the next flush.
        this.report({
          message: result.error,
          status: undefined,
          details: undefined,
          droppedRecords: 0,
        });
        return;
      }
      this.buffer.splice(0, batch.length);
      if (!result.ok)
        this.report({
          message: result.error,
          status: result.status,
          details: (result.body as { details?: unknown } | null)?.details,
          droppedRecords:
            result.status === 400
              ? ((result.body as { details?: { rejected?: number } } | null)?.details?.rejected ??
                batch.length)
              : batch.length,
        });
    }
  }

  private post(batch: readonly WireRecord[]): Promise<PostResult> {
    return postJson(this.endpoint, batch, {
      fetch: this.options.fetch ?? globalThis.fetch,
      token: this.options.token,
      maxRetries: this.options.maxRetries ?? 5,
      timeoutMs: this.options.timeoutMs ?? 10_000,
      sleep: this.options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    });
  }

  private report(error: TrainingClientError): void {
    try {
      this.options.onError?.(error);
    } catch {
      // A faulty error handler must not break training.
    }
  }
}
