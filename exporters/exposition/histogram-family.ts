import { flatText, formatSampleValue, renderLabels } from "./escape.js";
import type { FamilyOptions, LabelValues } from "./family.js";
import { KeyedFamily } from "./keyed-family.js";
import type { SeriesBudget } from "./series-budget.js";

interface HistogramSeries {
  readonly values: LabelValues;
  /** Rendered `name_bucket{labels,le="x"} ` per bucket, then `name_sum{labels} ` and `name_count{labels} `. */
  readonly bucketPrefixes: readonly string[];
  readonly sumPrefix: string;
  readonly countPrefix: string;
  /** Non-cumulative counts per bucket; the last is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A classic Prometheus histogram (cumulative `le` buckets, `_sum`, `_count`). */
export class HistogramFamily<L extends string = string> extends KeyedFamily<L, HistogramSeries> {
  readonly type = "histogram" as const;
  readonly buckets: readonly number[];

  constructor(
    options: FamilyOptions<L> & { readonly buckets: readonly number[] },
    budget: SeriesBudget,
  ) {
    super(options, budget);
    if ((options.labelNames as readonly string[]).includes("le"))
      throw new Error(`${options.name}: "le" is reserved for histogram buckets`);
    const sorted = [...options.buckets].filter((b) => b !== Infinity).sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => i > 0 && b === sorted[i - 1]))
      throw new Error(`${options.name}: buckets must be distinct and non-empty`);
    this.buckets = sorted;
  }

  observe(values: LabelValues, value: number): void {
    const series = this.lookup(values);
    if (!series || Number.isNaN(value)) return;
    let index = this.buckets.findIndex((upper) => value <= upper);
    if (index < 0) index = this.buckets.length;
    series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += value;
    series.count += 1;
  }

  protected renderSeries(series: HistogramSeries): string {
    let chunk = "";
    let cumulative = 0;
    for (let i = 0; i < series.bucketPrefixes.length; i++) {
      cumulative += series.counts[i] ?? 0;
      chunk += `${series.bucketPrefixes[i] ?? ""}${cumulative}\n`;
    }
    return (
      chunk +
      `${series.sumPrefix}${formatSampleValue(series.sum)}\n${series.countPrefix}${series.count}\n`
    );
  }

  protected createSeries(values: LabelValues): HistogramSeries {
    const withLe = [...this.labelNames, "le"];
    const bounds = [...this.buckets.map(formatSampleValue), "+Inf"];
    const labels = renderLabels(this.labelNames, values);
    return {
      values,
      bucketPrefixes: bounds.map((le) =>
        flatText(this.name, "_bucket", renderLabels(withLe, [...values, le]), " "),
      ),
      sumPrefix: flatText(this.name, "_sum", labels, " "),
      countPrefix: flatText(this.name, "_count", labels, " "),
      counts: new Array<number>(bounds.length).fill(0),
      sum: 0,
      count: 0,
    };
  }
}
