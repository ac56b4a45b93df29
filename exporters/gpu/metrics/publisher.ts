import type { FamilyFactory } from "../../exposition/exposition-registry.js";
import type { ScalarFamily } from "../../exposition/scalar-family.js";
import type { MetricDef, Sample } from "./metric-def.js";

/**
 * Owns the collector's families and replaces their content with each reading. A publish
 * runs synchronously, so a scrape sees one reading or the next, never a mix; series of a
 * GPU that is gone, or of a source that failed, disappear instead of going stale.
 * Families are registered up front from `defs`; a def first seen in a reading (names
 * taken from the tool's output, as nvidia_gpu_exporter's are) is registered then.
 */
export class Publisher {
  private readonly families = new Map<MetricDef, ScalarFamily>();

  constructor(
    private readonly factory: FamilyFactory,
    defs: readonly MetricDef[],
  ) {
    for (const def of defs) this.familyOf(def);
  }

  publish(samples: readonly Sample[]): void {
    for (const family of this.families.values()) family.clear();
    for (const sample of samples) this.familyOf(sample.def).set(labelValues(sample), sample.value);
  }

  private familyOf(def: MetricDef): ScalarFamily {
    const known = this.families.get(def);
    if (known) return known;
    const options = {
      name: def.name,
      help: def.help,
      labelNames: def.labelNames,
      unit: def.unit,
    };
    const family =
      def.type === "counter"
        ? this.factory.counter(options)
        : def.type === "untyped"
          ? this.factory.untyped(options)
          : this.factory.gauge(options);
    this.families.set(def, family);
    return family;
  }
}

function labelValues(sample: Sample): string[] {
  const names = sample.def.labelNames;
  const keys = Object.keys(sample.labels);
  if (keys.length !== names.length || keys.some((k) => !names.includes(k)))
    throw new Error(
      `internal: ${sample.def.name} takes labels ${names.join(",")}, got ${keys.join(",")}`,
    );
  return names.map((name) => sample.labels[name] ?? "");
}
