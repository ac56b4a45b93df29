import { flatText, formatSampleValue, renderLabels } from "./escape.js";
import { CHUNK_CHARS, Family } from "./family.js";
import type { FamilyOptions, LabelValues } from "./family.js";
import type { SeriesBudget } from "./series-budget.js";

/** One series of a group: its label values, its value, and its text once scraped. */
export interface GroupSample {
  readonly labels: LabelValues;
  readonly value: number;
  /** `name{labels} `, written at the first scrape (a sample belongs to one family). */
  prefix?: string;
}

/** An owner's object holding series of several families (a training run). */
export interface SampleGroup {
  /** Its samples, by family; each family renders the list filed under itself. */
  readonly samples: Map<object, GroupSample[]>;
}

/**
 * A counter or gauge family whose series live in groups their owner already keeps: a
 * training run holds its loss, its grad norm, its 40 other metrics. A group joins the
 * family once; its samples are plain objects in the group's own lists. Creating a series
 * is an array push and updating it a field write: nothing is keyed by label text and
 * nothing is rendered until a scrape, so ingest that creates series by the hundred
 * thousand pays for neither. The owner keeps each label set to one sample; every sample
 * is admitted by the series budget like any other family's series.
 */
export class GroupFamily<L extends string = string> extends Family<L> {
  private readonly groups = new Set<SampleGroup>();
  private count = 0;
  private detached = false;

  constructor(
    readonly type: "counter" | "gauge",
    options: FamilyOptions<L>,
    private readonly budget: SeriesBudget,
  ) {
    super(options);
    if (type === "counter" && !options.name.endsWith("_total"))
      throw new Error(`counter ${options.name} must end in _total`);
  }

  get seriesCount(): number {
    return this.count;
  }

  /**
   * Files a new sample in the group (joining the family on its first); false when the
   * budget refuses it (the drop is reported by the budget).
   */
  add(group: SampleGroup, sample: GroupSample): boolean {
    this.checkArity(sample.labels);
    if (this.detached || !this.budget.admit(this.name, this.count)) return false;
    let list = group.samples.get(this);
    if (!list) {
      list = [];
      group.samples.set(this, list);
      this.groups.add(group);
    }
    list.push(sample);
    this.count++;
    return true;
  }

  /** The group leaves the family with all its samples. */
  deleteGroup(group: SampleGroup): void {
    const list = group.samples.get(this);
    if (!list) return;
    this.count -= list.length;
    this.budget.release(list.length);
    group.samples.delete(this);
    this.groups.delete(group);
  }

  removeWhere(predicate: (values: LabelValues) => boolean): number {
    let removed = 0;
    for (const group of this.groups) {
      const list = group.samples.get(this) ?? [];
      const kept = list.filter((s) => !predicate(s.labels));
      removed += list.length - kept.length;
      if (kept.length === 0) {
        group.samples.delete(this);
        this.groups.delete(group);
      } else group.samples.set(this, kept);
    }
    this.count -= removed;
    this.budget.release(removed);
    return removed;
  }

  clear(): void {
    for (const group of this.groups) group.samples.delete(this);
    this.groups.clear();
    this.budget.release(this.count);
    this.count = 0;
  }

  detach(): void {
    this.detached = true;
    this.clear();
  }

  *chunks(openMetrics: boolean): Generator<string, void, undefined> {
    if (this.count === 0) return;
    let chunk = this.header(openMetrics);
    // Live iterators: groups and samples added while the render is suspended are
    // rendered once; a group removed meanwhile may still show in this render.
    for (const group of this.groups)
      for (const sample of group.samples.get(this) ?? []) {
        const prefix = (sample.prefix ??= flatText(
          this.name,
          renderLabels(this.labelNames, sample.labels, this.optionalLabels),
          " ",
        ));
        chunk += prefix + formatSampleValue(sample.value) + "\n";
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = "";
        }
      }
    if (chunk !== "") yield chunk;
  }
}
