/**
 * What an incident page draws, captured when the evidence was read (enrichment time): the
 * series themselves, not queries, so the page renders the same when Prometheus is down or
 * its data has expired. JSON: non-finite values are kept as Prometheus writes them.
 */
export type StoredValue = number | "NaN" | "+Inf" | "-Inf";

/** A point: milliseconds since the epoch and the value. */
export type StoredPoint = readonly [number, StoredValue];

/**
 * One series on the query's grid (Prometheus answers range queries at start + k·step):
 * `values[k]` is at `startMs + k·stepMs`, `null` where there was no sample. Values keep 6
 * significant digits: a chart needs no more, and the record stays about 8 bytes a point.
 */
export interface ChartLine {
  readonly name: string;
  /** `signal`: the series itself; `band`: a line of the detector's band or baseline. */
  readonly role: "signal" | "band";
  readonly startMs: number;
  readonly stepMs: number;
  readonly values: readonly (StoredValue | null)[];
}

export interface ChartMarker {
  readonly t: number;
  /** `onset`: when the alert's anomaly began; `start`: its startsAt; `change`: the evidence's own change. */
  readonly kind: "onset" | "start" | "change";
  readonly label: string;
}

export interface EvidenceChart {
  readonly title: string;
  readonly monitor?: string;
  readonly layer?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The y axis: a unit (`seconds`, `ratio`, ...) or what the values count. */
  readonly unit: string;
  readonly lines: readonly ChartLine[];
  /** A fixed limit the detector compares with. */
  readonly threshold?: { readonly value: number; readonly label: string };
  /** A fixed band (the scoring baseline: median ± z_min·scale). */
  readonly band?: { readonly lower: number; readonly upper: number; readonly label: string };
  readonly markers: readonly ChartMarker[];
  /** Where the baseline ends (scoring looks for a change after it). */
  readonly baselineEndMs?: number;
}

/** One scored candidate, with the numbers its score is the product of. */
export interface EvidenceItem {
  readonly monitor: string;
  readonly layer: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly where: string;
  readonly score: number;
  readonly strength: number;
  readonly precedence: number;
  readonly locality: number;
  readonly prior: number;
  readonly priorReason?: string;
  readonly firing: boolean;
  readonly leadMs?: number;
  readonly explanation: string;
  /** Index into `charts`, when it has one. */
  readonly chart?: number;
}

export interface IncidentEvidence {
  readonly version: 1;
  readonly capturedAt: number;
  readonly window: {
    readonly startMs: number;
    readonly baselineEndMs: number;
    readonly onsetMs: number;
    readonly endMs: number;
    readonly stepMs: number;
  };
  readonly verdict: {
    readonly layer: string;
    readonly confidence: number;
    readonly minScore: number;
    readonly layerScores: Readonly<Record<string, number>>;
  };
  readonly ownCause?: { readonly monitor: string; readonly explanation: string };
  /** The alert's own signal with its detector's band or threshold, when it was read. */
  readonly signal?: EvidenceChart;
  /** One chart per charted evidence item (`EvidenceItem.chart` points here). */
  readonly charts: readonly EvidenceChart[];
  readonly evidence: readonly EvidenceItem[];
  /** Related monitors looked at. */
  readonly checked: readonly string[];
  readonly notes: readonly string[];
}

export function storedValue(v: number): StoredValue {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return v;
}

export function numericValue(v: StoredValue): number {
  if (v === "NaN") return NaN;
  if (v === "+Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  return v;
}

/** Samples as a line on the grid `startMs + k·stepMs` (a sample off the grid takes the nearest slot). */
export function gridLine(
  name: string,
  role: ChartLine["role"],
  samples: readonly { readonly t: number; readonly v: number }[],
  startMs: number,
  stepMs: number,
): ChartLine {
  const values: (StoredValue | null)[] = [];
  for (const s of samples) {
    const k = Math.round((s.t - startMs) / stepMs);
    if (k < 0 || k > 100_000) continue;
    while (values.length < k) values.push(null);
    const v = storedValue(s.v);
    values[k] = typeof v === "number" ? Number(v.toPrecision(6)) : v;
  }
  return { name, role, startMs, stepMs, values };
}

/** The line's samples (missing slots left out), oldest first. */
export function linePoints(line: ChartLine): StoredPoint[] {
  const points: StoredPoint[] = [];
  line.values.forEach((v, k) => {
    if (v !== null) points.push([line.startMs + k * line.stepMs, v]);
  });
  return points;
}
