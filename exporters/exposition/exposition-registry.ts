import type { Family, FamilyOptions, FamilyType } from "./family.js";
import { GroupFamily } from "./group-family.js";
import { HistogramFamily } from "./histogram-family.js";
import { ScalarFamily } from "./scalar-family.js";
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

  constructor(
    private readonly maxSeriesPerFamily: () => number,
    private readonly onDrop: (family: string) => void,
  ) {}

  /** A view for one collector: the families it creates are owned by it. */
  scope(owner: string): FamilyFactory {
    return {
      counter: <L extends string>(options: FamilyOptions<L>) =>
        this.add(
          owner,
          new ScalarFamily("counter", options, this.maxSeriesPerFamily(), this.onDrop),
        ),
      gauge: <L extends string>(options: FamilyOptions<L>) =>
        this.add(owner, new ScalarFamily("gauge", options, this.maxSeriesPerFamily(), this.onDrop)),
      untyped: <L extends string>(options: FamilyOptions<L>) =>
        this.add(
          owner,
          new ScalarFamily("untyped", options, this.maxSeriesPerFamily(), this.onDrop),
        ),
      histogram: <L extends string>(
        options: FamilyOptions<L> & { readonly buckets: readonly number[] },
      ) => this.add(owner, new HistogramFamily(options, this.maxSeriesPerFamily(), this.onDrop)),
      snapshot: <L extends string>(options: FamilyOptions<L> & { readonly type: FamilyType }) =>
        this.add(owner, new SnapshotFamily(options, this.maxSeriesPerFamily(), this.onDrop)),
      grouped: <L extends string>(type: "counter" | "gauge", options: FamilyOptions<L>) =>
        this.add(owner, new GroupFamily<L>(type, options, this.maxSeriesPerFamily(), this.onDrop)),
      dispose: () => {
        for (const [name, entry] of this.families)
          if (entry.owner === owner) this.families.delete(name);
      },
    };
  }

  renderText(): string {
    const out: string[] = [];
    for (const { family } of this.families.values()) family.renderText(out);
    return out.join("");
  }

  renderOpenMetrics(): string {
    const out: string[] = [];
    for (const { family } of this.families.values()) family.renderOpenMetrics(out);
    return out.join("");
  }

  get seriesCount(): number {
    let total = 0;
    for (const { family } of this.families.values()) total += family.seriesCount;
    return total;
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
  /** Unregisters every family this scope created. */
  dispose(): void;
}
