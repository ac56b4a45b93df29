import type { BenchSeries } from "./dataset.js";
import { escapeLabel, formatValue, HELP, LABELS } from "./dataset.js";

/**
 * The tightest hand-written builder, the budget's baseline: each series' `name{labels} `
 * text computed once, in flat arrays; a render only formats values and concatenates.
 */
export class PrefixBuilder {
  private readonly headers: string[] = [];
  private readonly prefixes: string[][] = [];
  private readonly series: BenchSeries[][] = [];

  constructor(byFamily: ReadonlyMap<string, readonly BenchSeries[]>) {
    for (const [family, series] of byFamily) {
      this.headers.push(`# HELP ${family} ${HELP}\n# TYPE ${family} gauge\n`);
      this.prefixes.push(
        series.map((s) =>
          [
            family,
            "{",
            LABELS.map((l, i) => `${l}="${escapeLabel(s.labels[i] ?? "")}"`).join(","),
            "} ",
          ].join(""),
        ),
      );
      this.series.push([...series]);
    }
  }

  render(): string {
    let out = "";
    for (let f = 0; f < this.headers.length; f++) {
      out += this.headers[f] ?? "";
      const prefixes = this.prefixes[f] ?? [];
      const series = this.series[f] ?? [];
      for (let i = 0; i < prefixes.length; i++)
        out += (prefixes[i] ?? "") + formatValue(series[i]?.value ?? 0) + "\n";
    }
    return out;
  }
}
