import type { ServerResponse } from "node:http";
import type { Counter, Gauge, Histogram } from "prom-client";

type Labels = { readonly model: string; readonly model_version: string };

export interface TrackerMetrics {
  readonly duration: Histogram<"model" | "model_version">;
  readonly requests: Counter<"model" | "model_version">;
  readonly failures: Counter<"model" | "model_version" | "class">;
  readonly inFlight: Gauge<"model" | "model_version">;
  readonly promptTokens: Counter<"model" | "model_version">;
  readonly generatedTokens: Counter<"model" | "model_version">;
  readonly timeToFirstToken: Histogram<"model" | "model_version">;
}

/** What a handler can tell about its request beyond what is measured for it. */
export interface InferenceRequest {
  /** The first token is out (the first call counts). Streams time their first write anyway. */
  firstToken(): void;
  /** Tokens of this request; counted once, when it completes. */
  tokens(counts: { readonly prompt?: number; readonly generated?: number }): void;
  /** The model that served it, once known (e.g. from the parsed body). */
  model(model: string, modelVersion?: string): void;
  /** Failed even though the status says otherwise (an error in the middle of a stream). */
  fail(failureClass: string): void;
}

const STREAMING = /^(text\/event-stream|application\/(x-)?ndjson|application\/jsonl)/i;

/**
 * One request being measured. It ends exactly once: on `finish` (the response was sent)
 * or on `close` before it (the client went away: class `aborted`).
 */
export class RequestTracker implements InferenceRequest {
  private labels: Labels;
  private readonly inFlightLabels: Labels;
  private readonly started: number;
  private firstTokenAt: number | undefined;
  private promptTokens: number | undefined;
  private generatedTokens: number | undefined;
  private failureClass: string | undefined;
  private done = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly metrics: TrackerMetrics,
    labels: Labels,
    private readonly options: {
      readonly now: () => number;
      readonly classify: (status: number) => string | undefined;
      readonly relabel: (labels: { model: string; modelVersion?: string }) => Labels;
    },
  ) {
    this.labels = labels;
    this.inFlightLabels = labels;
    this.started = options.now();
    metrics.inFlight.inc(labels);
    this.watchWrites();
    res.once("finish", () => this.end(undefined));
    res.once("close", () => this.end("aborted"));
  }

  firstToken(): void {
    this.firstTokenAt ??= this.options.now();
  }

  tokens(counts: { readonly prompt?: number; readonly generated?: number }): void {
    if (counts.prompt !== undefined && counts.prompt >= 0) this.promptTokens = counts.prompt;
    if (counts.generated !== undefined && counts.generated >= 0)
      this.generatedTokens = counts.generated;
  }

  model(model: string, modelVersion?: string): void {
    this.labels = this.options.relabel({ model, modelVersion });
  }

  fail(failureClass: string): void {
    this.failureClass ??= failureClass;
  }

  private end(closedEarly: "aborted" | undefined): void {
    if (this.done) return;
    this.done = true;
    const m = this.metrics;
    m.inFlight.dec(this.inFlightLabels);
    m.requests.inc(this.labels);
    m.duration.observe(this.labels, this.options.now() - this.started);
    if (this.firstTokenAt !== undefined)
      m.timeToFirstToken.observe(this.labels, this.firstTokenAt - this.started);
    if (this.promptTokens) m.promptTokens.inc(this.labels, this.promptTokens);
    if (this.generatedTokens) m.generatedTokens.inc(this.labels, this.generatedTokens);
    // `close` also follows a normal finish; only one before it is an abort.
    const failure =
      this.failureClass ??
      (closedEarly && !this.res.writableFinished
        ? closedEarly
        : this.options.classify(this.res.statusCode));
    if (failure) m.failures.inc({ ...this.labels, class: failure });
  }

  /**
   * The first write of a streamed response is its first token; an OpenAI-style JSON body
   * sent with Express's res.json carries the token counts in `usage`.
   */
  private watchWrites(): void {
    const res = this.res as ServerResponse & { json?: (body: unknown) => unknown };
    const write = res.write.bind(res);
    res.write = ((...args: Parameters<typeof res.write>) => {
      if (
        this.firstTokenAt === undefined &&
        STREAMING.test(String(res.getHeader("content-type") ?? ""))
      )
        this.firstToken();
      return write(...args);
    }) as typeof res.write;
    const json = res.json;
    if (typeof json === "function") {
      res.json = (body: unknown) => {
        const usage = (
          body as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null
        )?.usage;
        if (usage && this.promptTokens === undefined && this.generatedTokens === undefined)
          this.tokens({
            prompt: typeof usage.prompt_tokens === "number" ? usage.prompt_tokens : undefined,
            generated:
              typeof usage.completion_tokens === "number" ? usage.completion_tokens : undefined,
          });
        return json.call(res, body);
      };
    }
  }
}
