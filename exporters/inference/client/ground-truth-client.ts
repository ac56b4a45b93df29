import { postJson } from "../../training/client/post-json.js";
import type { PostResult } from "../../training/client/post-json.js";

export interface GroundTruthClientOptions {
  /** The exporter's base URL, e.g. `http://aiwatch-exporter:9401`. */
  readonly url: string;
  readonly token: string;
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PredictionRecord {
  readonly id: string;
  readonly model: string;
  readonly modelVersion?: string;
  readonly predicted: string | number | boolean;
  readonly timestamp?: Date;
}

export interface LabelRecord {
  readonly id: string;
  readonly actual: string | number | boolean;
  readonly timestamp?: Date;
}

/**
 * Records predictions and, later, their ground truth, for the exporter's join
 * (`aiwatch_inference_predictions_correct_total` / `_labelled_total` is accuracy).
 * Each call is one request, retried on network errors and 5xx; the result says what
 * the exporter answered (per-record errors on a 400).
 */
export class GroundTruthClient {
  private readonly base: string;

  constructor(private readonly options: GroundTruthClientOptions) {
    this.base = `${options.url.replace(/\/+$/, "")}/api/v1/inference`;
  }

  recordPredictions(predictions: readonly PredictionRecord[]): Promise<PostResult> {
    return this.post(
      "predictions",
      predictions.map((p) => ({
        id: p.id,
        model: p.model,
        ...(p.modelVersion !== undefined ? { model_version: p.modelVersion } : {}),
        predicted: p.predicted,
        ...(p.timestamp ? { timestamp: p.timestamp.getTime() / 1000 } : {}),
      })),
    );
  }

  recordLabels(labels: readonly LabelRecord[]): Promise<PostResult> {
    return this.post(
      "labels",
      labels.map((l) => ({
        id: l.id,
        actual: l.actual,
        ...(l.timestamp ? { timestamp: l.timestamp.getTime() / 1000 } : {}),
      })),
    );
  }

  private post(path: string, body: unknown): Promise<PostResult> {
    return postJson(`${this.base}/${path}`, body, {
      fetch: this.options.fetch ?? globalThis.fetch,
      token: this.options.token,
      maxRetries: this.options.maxRetries ?? 3,
      timeoutMs: this.options.timeoutMs ?? 10_000,
      sleep: this.options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    });
  }
}
