import { flatText, formatSampleValue, renderLabels } from "./escape.js";
import { seriesKey } from "./family.js";
import type { FamilyOptions, LabelValues } from "./family.js";
import { KeyedFamily } from "./keyed-family.js";
import type { SeriesBudget } from "./series-budget.js";

interface ScalarSeries {
  readonly values: LabelValues;
  /** `name{labels} ` rendered once, when the series is created. */
  readonly prefix: string;
  value: number;
}

/**
 * A counter, gauge or untyped family (untyped: values mirrored from a foreign naming
 * scheme whose type the name cannot carry, such as dcgm-exporter's counters). Each series
 * keeps its rendered `name{labels} ` prefix, so a scrape is one concatenation per
 * series: this is what keeps /metrics close to a hand-written string builder at 100k
 * series, where prom-client's registry is 6-8x (bench/exporters/metrics-render.bench.ts).
 */
export class ScalarFamily<L extends string = string> extends KeyedFamily<L, ScalarSeries> {
  constructor(
    readonly type: "counter" | "gauge" | "untyped",
    options: FamilyOptions<L>,
    budget: SeriesBudget,
  ) {
    super(options, budget);
    if (type === "counter" && !options.name.endsWith("_total"))
      throw new Error(`counter ${options.name} must end in _total`);
  }

  set(values: LabelValues, value: number): void {
    const series = this.lookup(values);
    if (series) series.value = value;
  }

  /** Adds to a counter (or gauge); counters refuse negative increments. */
  inc(values: LabelValues, by = 1): void {
    if (this.type === "counter" && !(by >= 0))
      throw new Error(`${this.name}: counters only go up (inc by ${by})`);
    const series = this.lookup(values);
    if (series) series.value += by;
  }

  get(values: LabelValues): number | undefined {
    return this.series.get(seriesKey(values))?.value;
  }

  protected createSeries(values: LabelValues): ScalarSeries {
    return {
      values,
      prefix: flatText(this.name, renderLabels(this.labelNames, values, this.optionalLabels), " "),
      value: 0,
    };
  }

  protected renderSeries(series: ScalarSeries): string {
    return series.prefix + formatSampleValue(series.value) + "\n";
  }
}
