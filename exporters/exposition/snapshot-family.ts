import { escapeHelp, escapeLabelValue, formatSampleValue } from "./escape.js";
import { Family, seriesKey } from "./family.js";
import type { FamilyOptions, FamilyType, LabelValues } from "./family.js";
import type { SeriesBudget } from "./series-budget.js";

/** One sample line: the family name plus `suffix`, its labels in output order, a value. */
export interface SnapshotSample {
  /** `""`, or `_bucket`, `_sum`, `_count` for histograms and summaries. */
  readonly suffix: string;
  /** Label pairs in output order; `le` or `quantile` included on bucket and quantile lines. */
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
}

interface SourceSnapshot {
  readonly samples: readonly SnapshotSample[];
  readonly text: string;
  readonly seriesCount: number;
}

/** Labels that split one series into several sample lines rather than naming a series. */
const SAMPLE_LABELS = new Set(["le", "quantile"]);

/**
 * A family whose samples are copied wholesale from somewhere else (another exporter's
 * /metrics, scraped on an interval) rather than updated point by point. Each source
 * (e.g. one upstream server) replaces its own samples at once; they are rendered to text
 * when replaced, so a scrape of aiwatch costs one concatenation per source.
 */
export class SnapshotFamily<L extends string = string> extends Family<L> {
  readonly type: FamilyType;
  private readonly sources = new Map<string, SourceSnapshot>();
  private detached = false;

  constructor(
    options: FamilyOptions<L> & { readonly type: FamilyType },
    private readonly budget: SeriesBudget,
  ) {
    super(options);
    this.type = options.type;
  }

  get seriesCount(): number {
    let total = 0;
    for (const source of this.sources.values()) total += source.seriesCount;
    return total;
  }

  /**
   * Replaces everything `source` contributed. Series beyond the budgets (counting the
   * other sources' series first) are dropped and each drop reported.
   */
  replace(source: string, samples: readonly SnapshotSample[]): void {
    if (this.detached) return;
    const previous = this.sources.get(source)?.seriesCount ?? 0;
    this.budget.release(previous);
    const others = this.seriesCount - previous;
    const admitted = new Set<string>();
    const kept: SnapshotSample[] = [];
    const refused = new Set<string>();
    for (const sample of samples) {
      const key = identity(sample);
      if (!admitted.has(key)) {
        if (refused.has(key)) continue;
        if (!this.budget.admit(this.name, others + admitted.size)) {
          refused.add(key);
          continue;
        }
        admitted.add(key);
      }
      kept.push(sample);
    }
    if (kept.length === 0) {
      this.sources.delete(source);
      return;
    }
    this.sources.set(source, {
      samples: kept,
      text: this.renderSamples(kept),
      seriesCount: admitted.size,
    });
  }

  removeSource(source: string): void {
    this.budget.release(this.sources.get(source)?.seriesCount ?? 0);
    this.sources.delete(source);
  }

  removeWhere(predicate: (values: LabelValues) => boolean): number {
    let removed = 0;
    for (const [source, snapshot] of [...this.sources]) {
      const keep = snapshot.samples.filter((s) => !predicate(this.valuesOf(s)));
      if (keep.length === snapshot.samples.length) continue;
      removed += snapshot.seriesCount;
      this.removeSource(source);
      this.replace(source, keep);
      removed -= this.sources.get(source)?.seriesCount ?? 0;
    }
    return removed;
  }

  clear(): void {
    this.budget.release(this.seriesCount);
    this.sources.clear();
  }

  detach(): void {
    this.detached = true;
    this.clear();
  }

  /** One chunk per source: each was rendered flat when it was replaced. */
  *chunks(openMetrics: boolean): Generator<string, void, undefined> {
    if (this.sources.size === 0) return;
    yield openMetrics ? this.openMetricsHeader() : this.header(false);
    for (const source of this.sources.values()) yield source.text;
  }

  private openMetricsHeader(): string {
    // OpenMetrics has no "untyped", and its counters' samples must end in _total: a raw
    // upstream counter without the suffix (Triton's) can only be declared "unknown".
    const counterOk = this.type === "counter" && this.name.endsWith("_total");
    const type =
      this.type === "untyped" || (this.type === "counter" && !counterOk) ? "unknown" : this.type;
    const name = counterOk ? this.name.slice(0, -"_total".length) : this.name;
    const unit = this.unit && type !== "unknown" ? `# UNIT ${name} ${this.unit}\n` : "";
    return `# HELP ${name} ${escapeHelp(this.help)}\n# TYPE ${name} ${type}\n${unit}`;
  }

  /** Rendered once per replace, flat (see `flatText`), reused by every scrape until the next. */
  private renderSamples(samples: readonly SnapshotSample[]): string {
    const parts: string[] = [];
    for (const sample of samples) {
      parts.push(this.name, sample.suffix);
      if (sample.labels.length > 0) {
        parts.push("{");
        for (let i = 0; i < sample.labels.length; i++) {
          const [name, value] = sample.labels[i] ?? ["", ""];
          parts.push(i > 0 ? "," : "", name, '="', escapeLabelValue(value), '"');
        }
        parts.push("}");
      }
      parts.push(" ", formatSampleValue(sample.value), "\n");
    }
    return parts.join("");
  }

  private valuesOf(sample: SnapshotSample): LabelValues {
    return this.labelNames.map(
      (name) => sample.labels.find(([label]) => label === name)?.[1] ?? "",
    );
  }
}

function identity(sample: SnapshotSample): string {
  return seriesKey(
    sample.labels.filter(([name]) => !SAMPLE_LABELS.has(name)).map(([n, v]) => `${n}=${v}`),
  );
}
