import { Family, seriesKey } from "./family.js";
import type { DropReporter, FamilyOptions, LabelValues } from "./family.js";

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

  protected constructor(
    options: FamilyOptions<L>,
    private readonly maxSeries: number,
    private readonly onDrop: DropReporter,
  ) {
    super(options);
  }

  protected abstract createSeries(values: LabelValues): S;
  protected abstract renderSeries(series: S): string;

  get seriesCount(): number {
    return this.series.size;
  }

  remove(values: LabelValues): boolean {
    return this.series.delete(seriesKey(values));
  }

  removeWhere(predicate: (values: LabelValues) => boolean): number {
    let removed = 0;
    for (const [key, series] of this.series) {
      if (predicate(series.values)) {
        this.series.delete(key);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.series.clear();
  }

  renderText(out: string[]): void {
    this.render(out, false);
  }

  renderOpenMetrics(out: string[]): void {
    this.render(out, true);
  }

  /** The series for these label values, created if the budget allows. */
  protected lookup(values: LabelValues): S | undefined {
    const key = seriesKey(values);
    const existing = this.series.get(key);
    if (existing) return existing;
    this.checkArity(values);
    if (this.series.size >= this.maxSeries) {
      this.onDrop(this.name);
      return undefined;
    }
    const created = this.createSeries([...values]);
    this.series.set(key, created);
    return created;
  }

  private render(out: string[], openMetrics: boolean): void {
    if (this.series.size === 0) return;
    this.header(out, openMetrics);
    let chunk = "";
    for (const series of this.series.values()) chunk += this.renderSeries(series);
    out.push(chunk);
  }
}
