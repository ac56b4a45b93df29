/** The series every contender serves: 10 gauge families, three labels, as a trainer's. */
export const FAMILIES = 10;
export const LABELS = ["run_id", "job_name", "metric"] as const;
export const HELP = "Benchmark family.";

export interface BenchSeries {
  readonly family: string;
  readonly labels: readonly [string, string, string];
  value: number;
}

export function dataset(size: number): Map<string, BenchSeries[]> {
  const byFamily = new Map<string, BenchSeries[]>();
  for (let f = 0; f < FAMILIES; f++) byFamily.set(`aiwatch_bench_family_${f}`, []);
  for (let i = 0; i < size; i++) {
    const family = `aiwatch_bench_family_${i % FAMILIES}`;
    byFamily.get(family)?.push({
      family,
      labels: [`run-${Math.floor(i / 100)}`, `job-${i % 7}`, `metric_${i % 100}`],
      value: 0,
    });
  }
  return byFamily;
}

export function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
    : value;
}

export function formatValue(v: number): string {
  return Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v);
}
