import { escapeHelp } from "./escape.js";

export type FamilyType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface FamilyOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** OpenMetrics unit (`seconds`, `bytes`, ...); must be the name's suffix. */
  readonly unit?: string;
  /**
   * The name is copied verbatim from another exporter (e.g. vLLM's `vllm:...` in raw
   * mode), so colons are allowed: they are that exporter's choice, not ours.
   */
  readonly upstreamName?: boolean;
  /**
   * Labels left out of the text when their value is empty. Prometheus reads an empty label
   * as no label, so the series is the same; the text stays what it was before the label
   * existed (a training run's `rank` when it has none).
   */
  readonly optionalLabels?: readonly L[];
}

/** Values of a family's labels, in `labelNames` order. */
export type LabelValues = readonly string[];

/**
 * Text handed to the writer at a time: large enough that a chunk costs little, small
 * enough that rendering one takes well under a millisecond (see `writeExposition`).
 */
export const CHUNK_CHARS = 64 * 1024;

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const UPSTREAM_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Shared by every family type: identity, validation and the HELP/TYPE header lines. */
export abstract class Family<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly unit: string | undefined;
  /** See `FamilyOptions.optionalLabels`; undefined when there are none. */
  readonly optionalLabels: ReadonlySet<string> | undefined;
  abstract readonly type: FamilyType;

  protected constructor(options: FamilyOptions<L>) {
    if (!(options.upstreamName ? UPSTREAM_METRIC_NAME : METRIC_NAME).test(options.name))
      throw new Error(
        `invalid metric name ${JSON.stringify(options.name)} (colons are for recording rules)`,
      );
    for (const label of options.labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith("__"))
        throw new Error(`invalid label name ${JSON.stringify(label)} in ${options.name}`);
    }
    if (
      options.unit !== undefined &&
      !options.name.endsWith(`_${options.unit}`) &&
      !options.name.endsWith(`_${options.unit}_total`)
    ) {
      throw new Error(
        `${options.name}: a metric with unit ${options.unit} must end in _${options.unit}`,
      );
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.unit = options.unit;
    for (const label of options.optionalLabels ?? [])
      if (!options.labelNames.includes(label))
        throw new Error(`optional label ${label} of ${options.name} is not one of its labels`);
    this.optionalLabels =
      options.optionalLabels && options.optionalLabels.length > 0
        ? new Set(options.optionalLabels)
        : undefined;
  }

  abstract get seriesCount(): number;
  /** Removes every series whose label values satisfy `predicate` (e.g. a finished run). */
  abstract removeWhere(predicate: (values: LabelValues) => boolean): number;
  /** Removes every series, giving them back to the budget. */
  abstract clear(): void;
  /**
   * Clears the family for good: it has been unregistered, so writes that still reach it
   * (a stopping collector's last callback) create nothing and hold no budget.
   */
  abstract detach(): void;
  /**
   * This family's samples, in the Prometheus text format 0.0.4 or OpenMetrics 1.0, as
   * chunks of about `CHUNK_CHARS`. Series written while a render is suspended between
   * chunks appear in it or in the next scrape, never twice.
   */
  abstract chunks(openMetrics: boolean): Generator<string, void, undefined>;

  protected header(openMetrics: boolean): string {
    const name =
      openMetrics && this.type === "counter" ? this.name.replace(/_total$/, "") : this.name;
    // OpenMetrics spells the text format's `untyped` as `unknown`.
    const type = openMetrics && this.type === "untyped" ? "unknown" : this.type;
    const unit = openMetrics && this.unit ? `# UNIT ${name} ${this.unit}\n` : "";
    return `# HELP ${name} ${escapeHelp(this.help)}\n# TYPE ${name} ${type}\n${unit}`;
  }

  protected checkArity(values: LabelValues): void {
    if (values.length !== this.labelNames.length) {
      throw new Error(
        `${this.name}: expected ${this.labelNames.length} label values (${this.labelNames.join(", ")}), got ${values.length}`,
      );
    }
  }
}

/** Map key of a label set: values joined by a byte that cannot appear unescaped in text. */
export function seriesKey(values: LabelValues): string {
  return values.length === 1 ? (values[0] ?? "") : values.join("\u0000");
}
