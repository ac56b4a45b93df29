import type { LabelValues } from "../../exposition/family.js";
import type { GroundTruthFamilies } from "./ground-truth-families.js";

/** A predicted or actual value: class names, booleans, numbers. */
export type Outcome = string | number | boolean;

export interface Prediction {
  readonly id: string;
  readonly model: string;
  readonly modelVersion: string;
  readonly predicted: Outcome;
  readonly timestampSeconds?: number;
}

export interface GroundTruthLabel {
  readonly id: string;
  readonly actual: Outcome;
  readonly timestampSeconds?: number;
}

export interface GroundTruthOptions {
  /** Unlabelled predictions older than this (since received) are expired. */
  readonly ttlMs: number;
  /** At most this many predictions wait; the oldest is evicted to make room. */
  readonly maxPending: number;
  /** Distinct (model, model_version) pairs accepted; more are refused. */
  readonly maxModels: number;
  /** Numbers within this of each other are a match (0: exactly equal). */
  readonly numericTolerance: number;
}

interface Pending {
  readonly model: ModelState;
  readonly predicted: Outcome;
  readonly predictedAtSeconds: number;
  readonly receivedAtMs: number;
}

interface ModelState {
  readonly labels: LabelValues;
  pending: number;
}

export type PredictOutcome = "recorded" | "duplicate" | "conflict" | "model_limit";

/**
 * Joins predictions with ground truth that arrives later. Memory is bounded twice: a
 * TTL (unlabelled predictions expire) and a size cap (the oldest is evicted); both are
 * counted, never silent. A Map keeps insertion order, so the oldest prediction is always
 * the first entry and both expiry and eviction are O(1) per prediction.
 */
export class GroundTruthStore {
  private readonly pending = new Map<string, Pending>();
  private readonly models = new Map<string, ModelState>();

  constructor(
    private readonly families: GroundTruthFamilies,
    private readonly options: GroundTruthOptions,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  predict(prediction: Prediction): PredictOutcome {
    const model = this.modelState(prediction.model, prediction.modelVersion);
    if (!model) return "model_limit";
    const existing = this.pending.get(prediction.id);
    if (existing) {
      // A retried batch sends the same prediction again: accept it without counting twice.
      return existing.model === model && existing.predicted === prediction.predicted
        ? "duplicate"
        : "conflict";
    }
    if (this.pending.size >= this.options.maxPending) this.evictOldest();
    const nowMs = this.now();
    this.pending.set(prediction.id, {
      model,
      predicted: prediction.predicted,
      predictedAtSeconds: prediction.timestampSeconds ?? nowMs / 1000,
      receivedAtMs: nowMs,
    });
    model.pending++;
    this.families.predictions.inc(model.labels);
    this.families.pending.set(model.labels, model.pending);
    return "recorded";
  }

  /** Returns whether the label matched a pending prediction. */
  label(label: GroundTruthLabel): boolean {
    const prediction = this.pending.get(label.id);
    if (!prediction) {
      this.families.unmatchedLabels.inc([]);
      return false;
    }
    this.forget(label.id, prediction);
    const labels = prediction.model.labels;
    this.families.labelled.inc(labels);
    if (this.matches(prediction.predicted, label.actual)) this.families.correct.inc(labels);
    const labelledAt = label.timestampSeconds ?? this.now() / 1000;
    this.families.labelDelay.observe(
      labels,
      Math.max(0, labelledAt - prediction.predictedAtSeconds),
    );
    return true;
  }

  /** Expires predictions past the TTL; returns how many. */
  sweep(): number {
    const cutoff = this.now() - this.options.ttlMs;
    let expired = 0;
    for (const [id, prediction] of this.pending) {
      if (prediction.receivedAtMs > cutoff) break;
      this.forget(id, prediction);
      this.families.expired.inc(prediction.model.labels);
      expired++;
    }
    return expired;
  }

  private evictOldest(): void {
    const oldest = this.pending.entries().next();
    if (oldest.done) return;
    const [id, prediction] = oldest.value;
    this.forget(id, prediction);
    this.families.evicted.inc(prediction.model.labels);
  }

  private forget(id: string, prediction: Pending): void {
    this.pending.delete(id);
    prediction.model.pending--;
    this.families.pending.set(prediction.model.labels, prediction.model.pending);
  }

  private matches(predicted: Outcome, actual: Outcome): boolean {
    if (typeof predicted === "number" && typeof actual === "number")
      return Math.abs(predicted - actual) <= this.options.numericTolerance;
    return String(predicted) === String(actual);
  }

  private modelState(model: string, version: string): ModelState | undefined {
    const key = `${model}\u0000${version}`;
    let state = this.models.get(key);
    if (!state) {
      if (this.models.size >= this.options.maxModels) return undefined;
      state = { labels: [model, version], pending: 0 };
      this.models.set(key, state);
      // Every counter starts at 0, so the first increase is one Prometheus can see.
      const f = this.families;
      for (const counter of [f.predictions, f.labelled, f.correct, f.expired, f.evicted])
        counter.inc(state.labels, 0);
      f.pending.set(state.labels, 0);
    }
    return state;
  }
}
