/**
 * A metric family the GPU collector can expose, declared once. Sources produce samples
 * that point at these; the publisher turns them into exposition families. Keeping the
 * declarations as data lets the docs tables (docs/gpu.md) and the tests read the same list.
 */
export interface MetricDef {
  readonly name: string;
  readonly type: "gauge" | "counter" | "untyped";
  readonly help: string;
  readonly labelNames: readonly string[];
  /** OpenMetrics unit, when the name ends in one. */
  readonly unit?: string;
}

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly def: MetricDef;
  readonly labels: Labels;
  readonly value: number;
}

/** The labels every per-GPU family starts with. */
export const DEVICE_LABELS = ["gpu", "uuid"] as const;

const UNITS = ["bytes", "celsius", "watts", "joules", "hertz", "seconds", "ratio", "volts"];

function unitOf(name: string): string | undefined {
  const base = name.replace(/_total$/, "");
  return UNITS.find((unit) => base.endsWith(`_${unit}`));
}

export function gauge(name: string, help: string, extraLabels: readonly string[] = []): MetricDef {
  return {
    name,
    type: "gauge",
    help,
    labelNames: [...DEVICE_LABELS, ...extraLabels],
    unit: unitOf(name),
  };
}

export function counter(
  name: string,
  help: string,
  extraLabels: readonly string[] = [],
): MetricDef {
  return {
    name,
    type: "counter",
    help,
    labelNames: [...DEVICE_LABELS, ...extraLabels],
    unit: unitOf(name),
  };
}

/** A family without the per-GPU labels (source status, field accounting). */
export function plainMetric(
  type: MetricDef["type"],
  name: string,
  help: string,
  labelNames: readonly string[],
): MetricDef {
  return { name, type, help, labelNames, unit: unitOf(name) };
}
