import { monitorEventLoopDelay } from "node:perf_hooks";
import client from "prom-client";
import { ExpositionRegistry } from "../../exporters/exposition/exposition-registry.js";
import type { ScalarFamily } from "../../exporters/exposition/scalar-family.js";
import type { Benchmark, BenchRow } from "../support/benchmark.js";
import { median } from "../support/benchmark.js";

const FAMILIES = 10;
const LABELS = ["run_id", "job_name", "metric"] as const;
const HELP = "Benchmark family.";

interface Series {
  readonly family: string;
  readonly labels: readonly [string, string, string];
  value: number;
}

function dataset(size: number): Map<string, Series[]> {
  const byFamily = new Map<string, Series[]>();
  for (let i = 0; i < size; i++) {
    const family = `aiwatch_bench_family_${i % FAMILIES}`;
    const series: Series = {
      family,
      labels: [`run-${Math.floor(i / 100)}`, `job-${i % 7}`, `metric_${i % 100}`],
      value: 0,
    };
    byFamily.set(family, [...(byFamily.get(family) ?? []), series]);
  }
  return byFamily;
}

const escape = (value: string): string =>
  /[\\"\n]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
    : value;
const formatValue = (v: number): string =>
  Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v);

/** What anyone would write by hand: walk the series, escape labels, format values. */
function naiveBuilder(byFamily: ReadonlyMap<string, readonly Series[]>): string {
  let out = "";
  for (const [family, series] of byFamily) {
    out += `# HELP ${family} ${HELP}\n# TYPE ${family} gauge\n`;
    for (const s of series) {
      out += family + "{";
      for (let i = 0; i < LABELS.length; i++)
        out += `${i > 0 ? "," : ""}${LABELS[i]}="${escape(s.labels[i] ?? "")}"`;
      out += "} " + formatValue(s.value) + "\n";
    }
  }
  return out;
}

/**
 * The tightest hand-written builder: each series' `name{labels} ` text computed once, in
 * flat arrays; a render only formats values. The budget is stated against this one.
 */
class PrefixBuilder {
  private readonly headers: string[] = [];
  private readonly prefixes: string[][] = [];
  private readonly series: Series[][] = [];

  constructor(byFamily: ReadonlyMap<string, readonly Series[]>) {
    for (const [family, series] of byFamily) {
      this.headers.push(`# HELP ${family} ${HELP}\n# TYPE ${family} gauge\n`);
      this.prefixes.push(
        series.map(
          (s) =>
            `${family}{${LABELS.map((l, i) => `${l}="${escape(s.labels[i] ?? "")}"`).join(",")}} `,
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

interface Contender {
  readonly name: string;
  readonly render: () => string | Promise<string>;
  readonly samples: number[];
}

/**
 * DESIGN.md: /metrics at 10k and 100k series within 2x of a hand-written string builder
 * producing the same text, next to prom-client's registry (the same class as its default
 * registry), plus the event-loop delay a render causes. Every value changes between
 * renders (nothing is cacheable), and the contenders take turns within each round, so a
 * busy machine slows them alike.
 */
export const metricsRenderBenchmark: Benchmark = {
  id: "metrics-render",
  name: "/metrics render",
  part: "exporters",
  async run({ log }) {
    const rows: BenchRow[] = [];
    for (const size of [10_000, 100_000]) {
      const byFamily = dataset(size);
      const registry = new ExpositionRegistry(
        () => size,
        () => undefined,
      );
      const scope = registry.scope("bench");
      const ours = new Map<string, ScalarFamily>(
        [...byFamily.keys()].map((name) => [
          name,
          scope.gauge({ name, help: HELP, labelNames: [...LABELS] }),
        ]),
      );
      const promRegistry = new client.Registry();
      const prom = new Map(
        [...byFamily.keys()].map((name) => [
          name,
          new client.Gauge({
            name,
            help: HELP,
            labelNames: [...LABELS],
            registers: [promRegistry],
          }),
        ]),
      );
      let round = 0;
      const updateValues = (): void => {
        round++;
        for (const [family, series] of byFamily) {
          const gauge = ours.get(family);
          const promGauge = prom.get(family);
          for (const s of series) {
            s.value = Math.round(Math.random() * 1e6) / 1e3 + round;
            gauge?.set(s.labels, s.value);
            promGauge?.set(
              { run_id: s.labels[0], job_name: s.labels[1], metric: s.labels[2] },
              s.value,
            );
          }
        }
      };
      updateValues();
      const prefixBuilder = new PrefixBuilder(byFamily);
      const expected = naiveBuilder(byFamily);
      if (registry.renderText() !== expected || prefixBuilder.render() !== expected)
        throw new Error("the contenders do not produce the same text");
      const promSame =
        (await promRegistry.metrics()).replace(/\n$/, "") === expected.replace(/\n$/, "");

      const contenders: Contender[] = [
        { name: "aiwatch", render: () => registry.renderText(), samples: [] },
        { name: "prefix builder", render: () => prefixBuilder.render(), samples: [] },
        { name: "naive builder", render: () => naiveBuilder(byFamily), samples: [] },
        { name: "prom-client", render: () => promRegistry.metrics(), samples: [] },
      ];
      const rounds = size >= 100_000 ? 9 : 25;
      for (let r = -2; r < rounds; r++) {
        for (const contender of contenders) {
          updateValues();
          const start = process.hrtime.bigint();
          const text = await contender.render();
          // Every contender's text is flattened, as sending it would.
          if (text.charCodeAt(text.length - 1) !== 10)
            throw new Error(`${contender.name}: bad text`);
          if (r >= 0) contender.samples.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
      }
      const ms = (name: string): number =>
        median(contenders.find((c) => c.name === name)?.samples ?? []);
      const label = size >= 100_000 ? "100k" : "10k";
      rows.push(
        {
          what: `render ${label} series (aiwatch exposition store)`,
          value: ms("aiwatch"),
          unit: "ms",
          baselineName: "prefix-cached builder",
          baseline: ms("prefix builder"),
          budget: "<= 2x builder",
          withinBudget: ms("aiwatch") <= 2 * ms("prefix builder"),
        },
        {
          what: `render ${label} series (aiwatch exposition store)`,
          value: ms("aiwatch"),
          unit: "ms",
          baselineName: "naive builder",
          baseline: ms("naive builder"),
        },
        {
          what: `render ${label} series (prom-client registry)`,
          value: ms("prom-client"),
          unit: "ms",
          baselineName: "prefix-cached builder",
          baseline: ms("prefix builder"),
          note: promSame ? "same text" : "same series, formatting differs",
        },
      );

      if (size >= 100_000) {
        // Only renders run while the delay is monitored: a scrape every few milliseconds,
        // as if Prometheus scraped back to back.
        updateValues();
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        for (let i = 0; i < 20; i++) {
          await new Promise((resolve) => setImmediate(resolve));
          registry.renderText().charCodeAt(0);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        delay.disable();
        rows.push({
          what: `event-loop delay caused by ${label}-series renders (p50)`,
          value: delay.percentile(50) / 1e6,
          unit: "ms",
          note: `p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms: a render is synchronous, so the loop waits about one render`,
        });
      }
      log(
        `${label}: ${(expected.length / 1e6).toFixed(1)} MB of text, ${FAMILIES} families, ${rounds} interleaved rounds`,
      );
    }
    return rows;
  },
};
