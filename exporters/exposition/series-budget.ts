/** Which limit refused a new series: the family's own or the exporter's total. */
export type SeriesLimit = "family" | "total";

/**
 * Reports a label set a cardinality budget refused. The exporter counts these in
 * `aiwatch_exporter_series_dropped_total{family,budget}`: dropped data is never silent.
 */
export type DropReporter = (family: string, limit: SeriesLimit) => void;

/**
 * The cardinality budgets every family draws from: a limit per family and one for all
 * families together, both read at each new series so a reload applies at once. Series
 * already held are never evicted by a lower limit; only new ones are refused.
 */
export class SeriesBudget {
  private held = 0;

  constructor(
    private readonly maxPerFamily: () => number,
    private readonly maxTotal: () => number,
    private readonly onDrop: DropReporter,
  ) {}

  /** Series held by every family together. */
  get total(): number {
    return this.held;
  }

  /**
   * Whether `family`, now holding `familySize` series, may create one more; a refusal is
   * reported. An admitted series must be given back with `release` when it goes.
   */
  admit(family: string, familySize: number): boolean {
    if (familySize >= this.maxPerFamily()) {
      this.onDrop(family, "family");
      return false;
    }
    if (this.held >= this.maxTotal()) {
      this.onDrop(family, "total");
      return false;
    }
    this.held++;
    return true;
  }

  release(count: number): void {
    this.held = Math.max(0, this.held - count);
  }
}
