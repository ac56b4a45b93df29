import { CHUNK_CHARS, Family, seriesKey } from "./family.js";
import type { FamilyOptions, LabelValues } from "./family.js";
import type { SeriesBudget } from "./series-budget.js";

/**
 * A family whose series live in a map keyed by label values, created on first write
 * within the cardinality budget (drops reported, never silent). Subclasses say how a
 * series is made and rendered.
 */
export abstract class KeyedFamily<
  L extends string,
  S extends { readonly values: LabelValues },
> extends Family<L> {
  protected readonly series = new Map<string, S>();
  private detached = false;

  protected constructor(
    options: FamilyOptions<L>,
    private readonly budget: SeriesBudget,
  ) {
    super(options);
  }

  protected abstract createSeries(values: LabelValues): S;
  protected abstract renderSeries(series: S): string;

  get seriesCount(): number {
    return this.series.size;
  }

  remove(values: LabelValues): boolean {
    const removed = this.series.delete(seriesKey(values));
    if (removed) this.budget.release(1);
    return removed;
  }

  removeWhere(predicate: (values: LabelValues) => boolean): number {
    let removed = 0;
    for (const [key, series] of this.series) {
      if (predicate(series.values)) {
        this.series.delete(key);
        removed++;
      }
    }
    this.budget.release(removed);
    return removed;
  }

  clear(): void {
    this.budget.release(this.series.size);
    this.series.clear();
  }

  detach(): void {
    this.detached = true;
    this.clear();
  }

  *chunks(openMetrics: boolean): Generator<string, void, undefined> {
    if (this.series.size === 0) return;
    let chunk = this.header(openMetrics);
    // A live iterator: series removed while the render is suspended are skipped, series
    // added are rendered once (Map iteration visits entries added before it ends).
    for (const series of this.series.values()) {
      chunk += this.renderSeries(series);
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk !== "") yield chunk;
  }

  /** The series for these label values, created if the budget allows. */
  protected lookup(values: LabelValues): S | undefined {
    const key = seriesKey(values);
    const existing = this.series.get(key);
    if (existing) return existing;
    this.checkArity(values);
    if (this.detached || !this.budget.admit(this.name, this.series.size)) return undefined;
    const created = this.createSeries([...values]);
    this.series.set(key, created);
    return created;
  }
}
