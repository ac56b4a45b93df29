import type { Family, FamilyOptions, FamilyType } from "./family.js";
import { GroupFamily } from "./group-family.js";
import { HistogramFamily } from "./histogram-family.js";
import { ScalarFamily } from "./scalar-family.js";
import { SeriesBudget } from "./series-budget.js";
import type { DropReporter } from "./series-budget.js";
import { SnapshotFamily } from "./snapshot-family.js";

/**
 * The metric families collectors write to. Families are created through a collector's
 * scope (see `scope`), so stopping a collector removes exactly its families. Rendering
 * walks families in registration order; each family's series in insertion order.
 */
export class ExpositionRegistry {
  private readonly families = new Map<
    string,
    { readonly family: Family; readonly owner: string }
  >();
  private readonly budget: SeriesBudget;

  /**
   * `maxSeriesPerFamily` and `maxSeriesTotal` are read at each new series, so a reloaded
   * config applies at once; every refused series is reported to `onDrop`.
   */
  constructor(
    maxSeriesPerFamily: () => number,
    onDrop: DropReporter,
    maxSeriesTotal: () => number = () => Infinity,
  ) {
    this.budget = new SeriesBudget(maxSeriesPerFamily, maxSeriesTotal, onDrop);
  }

  /** A view for one collector: the families it creates are owned by it. */
  scope(owner: string): FamilyFactory {
    const budget = this.budget;
    return {
      counter: <L extends string>(options: FamilyOptions<L>) =>
        this.add(owner, new ScalarFamily("counter", options, budget)),
      gauge: <L extends string>(options: FamilyOptions<L>) =>
        this.add(owner, new ScalarFamily("gauge", options, budget)),
      untyped: <L extends string>(options: FamilyOptions<L>) =>
        this.add(owner, new ScalarFamily("untyped", options, budget)),
      histogram: <L extends string>(
        options: FamilyOptions<L> & { readonly buckets: readonly number[] },
      ) => this.add(owner, new HistogramFamily(options, budget)),
      snapshot: <L extends string>(options: FamilyOptions<L> & { readonly type: FamilyType }) =>
        this.add(owner, new SnapshotFamily(options, budget)),
      grouped: <L extends string>(type: "counter" | "gauge", options: FamilyOptions<L>) =>
        this.add(owner, new GroupFamily<L>(type, options, budget)),
      dispose: () => {
        for (const [name, entry] of this.families) {
          if (entry.owner !== owner) continue;
          entry.family.detach();
          this.families.delete(name);
        }
      },
    };
  }

  /**
   * Every family's samples as chunks of text (see `Family.chunks`), in registration
   * order. The families are those registered when the render starts.
   */
  *chunks(format: "text" | "openmetrics"): Generator<string, void, undefined> {
    const openMetrics = format === "openmetrics";
    for (const { family } of [...this.families.values()]) yield* family.chunks(openMetrics);
  }

  /** The whole exposition in one string; /metrics streams `chunks` instead. */
  renderText(): string {
    return [...this.chunks("text")].join("");
  }

  renderOpenMetrics(): string {
    return [...this.chunks("openmetrics")].join("");
  }

  /** Series held by every family, the number the total budget limits. */
  get seriesCount(): number {
    return this.budget.total;
  }

  private add<F extends Family>(owner: string, family: F): F {
    const existing = this.families.get(family.name);
    if (existing)
      throw new Error(`metric ${family.name} is already registered by collector ${existing.owner}`);
    this.families.set(family.name, { family, owner });
    return family;
  }
}

export interface FamilyFactory {
  counter<L extends string>(options: FamilyOptions<L>): ScalarFamily<L>;
  gauge<L extends string>(options: FamilyOptions<L>): ScalarFamily<L>;
  /** `# TYPE untyped` (OpenMetrics `unknown`): for names that cannot follow the conventions. */
  untyped<L extends string>(options: FamilyOptions<L>): ScalarFamily<L>;
  histogram<L extends string>(
    options: FamilyOptions<L> & { readonly buckets: readonly number[] },
  ): HistogramFamily<L>;
  /** A family whose samples are replaced wholesale per source (e.g. a scraped upstream). */
  snapshot<L extends string>(
    options: FamilyOptions<L> & { readonly type: FamilyType },
  ): SnapshotFamily<L>;
  /** Series kept in the owner's own groups (a training run's metrics; see GroupFamily). */
  grouped<L extends string>(type: "counter" | "gauge", options: FamilyOptions<L>): GroupFamily<L>;
  /** Unregisters every family this scope created, giving back their series. */
  dispose(): void;
}
