import type { Logger } from "../../../core/log/logger.js";
import type { ModelPlan } from "../evaluate/plan-model.js";
import { planModel } from "../evaluate/plan-model.js";
import type { FeatureScores } from "../evaluate/score-feature.js";
import { datasetDrift, scoreFeature } from "../evaluate/score-feature.js";
import { binIndex } from "../statistics/numeric-histogram.js";
import type { DriftProfile } from "../profile/drift-profile.js";
import { DEFAULT_PROFILE_SETTINGS } from "../profile/drift-profile.js";
import { buildProfile } from "../profile/build-profile.js";
import { categoryOf } from "../profile/infer-feature-type.js";
import { SlidingWindow } from "../window/sliding-window.js";
import type { ScalarFamily } from "../../exposition/scalar-family.js";
import type { DriftMetrics } from "./drift-metrics.js";
import type { ModelConfig } from "./drift-config.js";
import { durationMs } from "../../../core/config/zod-fields.js";

/** A record whose shape `checkRecords` accepted: an object of scalars. */
export type FeatureRecord = Readonly<Record<string, unknown>>;

const OTHER_COLUMN = "__other__";

function bump(array: Float64Array, index: number, by: number): void {
  array[index] = (array[index] ?? 0) + by;
}

interface Monitoring {
  readonly plan: ModelPlan;
  readonly window: SlidingWindow;
  readonly known: ReadonlySet<string>;
  readonly counts: Float64Array;
  readonly sums: Float64Array;
}

/**
 * One model's drift and quality monitoring: records go into the sliding window and the
 * quality counters; `evaluate` scores the window against the reference and publishes.
 * When the reference is to be built from the first N records, those are gathered first.
 */
export class ModelMonitor {
  private monitoring: Monitoring | undefined;
  private readonly gathering: FeatureRecord[] = [];
  private readonly unexpectedLabels = new Set<string>();
  private readonly ignored: ReadonlySet<string>;
  private readonly labels: readonly [string];

  constructor(
    private readonly config: ModelConfig,
    private readonly metrics: DriftMetrics,
    private readonly logger: Logger,
    /** Reports a failure by reason (the collector's errors counter); for `reference_invalid`. */
    private readonly failed: (reason: string) => void = () => undefined,
  ) {
    this.ignored = new Set(config.ignore_columns);
    this.labels = [config.name];
    metrics.rows.inc(this.labels, 0);
  }

  get name(): string {
    return this.config.name;
  }

  /** Starts comparing against `profile`; the window starts empty. */
  useProfile(profile: DriftProfile): void {
    const { plan, problems } = planModel(profile, this.config);
    if (problems.length > 0)
      throw new Error(
        `model ${this.config.name}: ${problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ")}`,
      );
    this.removeSeries();
    const window = this.config.window;
    this.monitoring = {
      plan,
      window: new SlidingWindow(plan.paneSize, {
        maxRecords: window.records,
        durationMs: window.duration === undefined ? undefined : durationMs(window.duration),
        panes: window.panes,
      }),
      known: new Set([...profile.features.map((f) => f.name), ...this.ignored]),
      counts: new Float64Array(plan.paneSize),
      sums: new Float64Array(plan.paneSize),
    };
    const m = this.metrics;
    const model = this.config.name;
    m.rows.inc(this.labels, 0);
    m.referenceInfo.set([model, profile.version, profile.content_hash], 1);
    for (const feature of plan.features) {
      const labels = [model, feature.name];
      m.referenceSamples.set(labels, feature.referenceSamples);
      m.windowSamples.set(labels, 0);
      m.nulls.inc(labels, 0);
      m.schemaViolations.inc([model, feature.name, "missing_column"], 0);
      m.schemaViolations.inc([model, feature.name, "type_mismatch"], 0);
      if (feature.type === "numeric") m.outOfRange.inc(labels, 0);
      if (feature.type === "categorical")
        m.schemaViolations.inc([model, feature.name, "unseen_category"], 0);
    }
  }

  /** Applies records already checked for shape: never throws on their contents. */
  ingest(records: readonly FeatureRecord[], nowMs: number): void {
    this.metrics.rows.inc(this.labels, records.length);
    if (!this.monitoring) {
      const used = this.gather(records);
      // The records after those that completed the reference are the first live ones.
      if (used < records.length && this.monitoring) this.apply(records.slice(used), nowMs);
      return;
    }
    this.apply(records, nowMs);
  }

  private apply(records: readonly FeatureRecord[], nowMs: number): void {
    const monitoring = this.monitoring;
    if (!monitoring) return;
    const features = monitoring.plan.features;
    const count = features.length;
    const nulls = new Float64Array(count);
    const missing = new Float64Array(count);
    const mismatched = new Float64Array(count);
    const outOfRange = new Float64Array(count);
    const unseen = new Float64Array(count);
    let unexpected: Map<string, number> | undefined;
    for (const record of records) {
      const pane = monitoring.window.paneFor(nowMs);
      for (let j = 0; j < count; j++) {
        const feature = features[j];
        if (!feature) continue;
        const value = record[feature.name];
        if (value === undefined) {
          bump(missing, j, 1);
          continue;
        }
        if (value === null) {
          bump(nulls, j, 1);
          continue;
        }
        if (feature.type === "numeric") {
          // Checked records hold no Infinity; this keeps one from other callers (the
          // compare command reads data files) out of the window's sums.
          if (typeof value !== "number" || !Number.isFinite(value)) {
            bump(mismatched, j, 1);
            continue;
          }
          const bin = feature.offset + binIndex(feature.edges, value);
          bump(pane.counts, bin, 1);
          bump(pane.sums, bin, value);
          if (value < feature.low || value > feature.high) bump(outOfRange, j, 1);
          continue;
        }
        if (feature.type === "boolean" && typeof value !== "boolean") {
          bump(mismatched, j, 1);
          continue;
        }
        const label = categoryOf(value);
        if (label === undefined) {
          bump(mismatched, j, 1);
          continue;
        }
        let index = feature.categories.get(label);
        if (index === undefined) {
          index = feature.size - 1;
          if (feature.countsUnseen) bump(unseen, j, 1);
        }
        bump(pane.counts, feature.offset + index, 1);
      }
      for (const key in record) {
        if (monitoring.known.has(key)) continue;
        unexpected ??= new Map();
        unexpected.set(key, (unexpected.get(key) ?? 0) + 1);
      }
    }
    const model = this.config.name;
    const m = this.metrics;
    features.forEach((feature, j) => {
      const labels = [model, feature.name];
      if (nulls[j]) m.nulls.inc(labels, nulls[j]);
      if (outOfRange[j]) m.outOfRange.inc(labels, outOfRange[j]);
      if (missing[j]) m.schemaViolations.inc([...labels, "missing_column"], missing[j]);
      if (mismatched[j]) m.schemaViolations.inc([...labels, "type_mismatch"], mismatched[j]);
      if (unseen[j]) m.schemaViolations.inc([...labels, "unseen_category"], unseen[j]);
    });
    for (const [column, times] of unexpected ?? []) this.countUnexpected(column, times);
  }

  /** Scores the window and publishes; returns the scores (for the CLI and tests). */
  evaluate(nowMs: number): readonly FeatureScores[] {
    const monitoring = this.monitoring;
    if (!monitoring) return [];
    monitoring.window.aggregate(nowMs, monitoring.counts, monitoring.sums);
    const model = this.config.name;
    const m = this.metrics;
    const results = monitoring.plan.features.map((feature) => {
      const result = scoreFeature(feature, monitoring.counts, monitoring.sums, {
        minSamples: this.config.min_samples,
        psiEpsilon: this.config.psi_epsilon,
      });
      m.windowSamples.set([model, feature.name], result.windowSamples);
      for (const plan of feature.methods) {
        const labels = [model, feature.name, plan.method];
        const score = result.scores?.find((s) => s.method === plan.method);
        if (!score) {
          m.score.remove(labels);
          m.pValue.remove(labels);
          m.threshold.remove(labels);
          m.detected.remove(labels);
          continue;
        }
        m.score.set(labels, score.score);
        if (score.pValue !== undefined) m.pValue.set(labels, score.pValue);
        m.threshold.set(labels, score.threshold);
        m.detected.set(labels, score.detected ? 1 : 0);
      }
      return result;
    });
    const dataset = datasetDrift(results, this.config.drift_share);
    m.scoredFeatures.set(this.labels, dataset.scored);
    if (dataset.share === undefined) {
      m.driftedShare.remove(this.labels);
      m.datasetDrift.remove(this.labels);
    } else {
      m.driftedShare.set(this.labels, dataset.share);
      m.datasetDrift.set(this.labels, dataset.detected ? 1 : 0);
    }
    m.lastEvaluation.set(this.labels, nowMs / 1000);
    return results;
  }

  /** Removes every series of this model (on stop, or when its reference changes). */
  removeSeries(): void {
    const model = this.config.name;
    const mine = (values: readonly string[]): boolean => values[0] === model;
    for (const family of Object.values(this.metrics) as ScalarFamily[]) {
      if (family === this.metrics.rows || family === this.metrics.featureLabelsDropped) continue;
      family.removeWhere(mine);
    }
  }

  private countUnexpected(column: string, times: number): void {
    const model = this.config.name;
    let label = column;
    if (!this.unexpectedLabels.has(column)) {
      if (this.unexpectedLabels.size < this.config.max_unexpected_columns)
        this.unexpectedLabels.add(column);
      else {
        label = OTHER_COLUMN;
        this.metrics.featureLabelsDropped.inc(this.labels, times);
      }
    }
    this.metrics.schemaViolations.inc([model, label, "unexpected_column"], times);
  }

  /** Gathers reference records; returns how many of `records` it took. */
  private gather(records: readonly FeatureRecord[]): number {
    const reference = this.config.reference;
    if (!("first_records" in reference)) return 0;
    const used = Math.min(records.length, reference.first_records - this.gathering.length);
    for (let i = 0; i < used; i++) {
      const record = records[i];
      if (record) this.gathering.push(record);
    }
    if (this.gathering.length < reference.first_records) return used;
    const columns = this.gatheredColumns();
    const types = Object.fromEntries(
      Object.entries(this.config.features ?? {}).flatMap(([name, settings]) =>
        settings?.type ? [[name, settings.type]] : [],
      ),
    );
    const built = buildProfile(
      columns.map((name) => ({
        name,
        values: this.gathering.map((record) => record[name] ?? null),
      })),
      this.gathering.length,
      {
        settings: {
          bins: reference.bins ?? DEFAULT_PROFILE_SETTINGS.bins,
          resolution: reference.resolution ?? DEFAULT_PROFILE_SETTINGS.resolution,
          max_categories: reference.max_categories ?? DEFAULT_PROFILE_SETTINGS.max_categories,
        },
        source: "typed",
        types,
        sourceName: `first ${reference.first_records} records`,
        created: new Date().toISOString(),
      },
    );
    this.gathering.length = 0;
    if (!built.ok) {
      this.failed("reference_invalid");
      this.logger.error("cannot build the reference from live records; gathering again", {
        model: this.config.name,
        errors: built.errors.slice(0, 10),
      });
      return used;
    }
    try {
      this.useProfile(built.profile);
      this.logger.info("reference built from live records", {
        model: this.config.name,
        version: built.profile.version,
        features: built.profile.features.length,
      });
    } catch (error) {
      this.failed("reference_invalid");
      this.logger.error("reference built from live records is unusable; gathering again", {
        model: this.config.name,
        error,
      });
    }
    return used;
  }

  private gatheredColumns(): string[] {
    if (this.config.features) return Object.keys(this.config.features);
    const columns = new Set<string>();
    for (const record of this.gathering)
      for (const key of Object.keys(record)) if (!this.ignored.has(key)) columns.add(key);
    return [...columns];
  }
}
