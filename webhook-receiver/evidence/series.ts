/** Time series as the evidence stages handle them: milliseconds and numbers, labels as read. */
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly v: number;
}

export interface Series {
  readonly labels: Labels;
  readonly samples: readonly Sample[];
}

/** `{a="1", b="2"}` with labels sorted: a stable text for ordering and display. */
export function labelsText(labels: Labels, omit: ReadonlySet<string> = new Set()): string {
  const names = Object.keys(labels)
    .filter((n) => !omit.has(n) && n !== "__name__")
    .sort();
  return names.map((n) => `${n}=${labels[n] ?? ""}`).join(" ");
}

/** True when every label of `subset` has the same value in `labels`. */
export function labelsInclude(labels: Labels, subset: Labels): boolean {
  return Object.entries(subset).every(([name, value]) => labels[name] === value);
}
