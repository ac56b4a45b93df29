/**
 * Labelled synthetic series for detection-quality comparisons, shaped like the signals
 * aiwatch watches: a level with a daily cycle, Gaussian noise, and isolated one-minute
 * outliers (normal behaviour, never an incident), plus labelled incidents of several
 * kinds and sizes. Deterministic: the same seed gives the same series.
 */
import { seededRandom } from "../../../test/support/seeded-random.js";

export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export type IncidentKind = "level-up" | "level-down" | "drop-to-zero" | "spike";

export interface Incident {
  readonly kind: IncidentKind;
  readonly startMs: number;
  readonly endMs: number;
  /** Relative size: 0.4 = 40% above or below the normal value. */
  readonly size: number;
}

export interface LabelledSeries {
  readonly name: string;
  readonly stepMs: number;
  readonly values: readonly number[];
  readonly incidents: readonly Incident[];
}

export interface SeriesShape {
  readonly level: number;
  /** Daily cycle amplitude as a share of the level. */
  readonly dailyAmplitude: number;
  /** Noise standard deviation as a share of the level. */
  readonly noise: number;
  /** Chance per minute of a one-minute outlier (normal behaviour). */
  readonly outlierRate: number;
}

export function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

/**
 * `days` of one-minute samples; incidents are placed after `scoredFromMs` (when every
 * detector has warmed up), at least 3h apart, with kinds and sizes cycling.
 */
export function labelledSeries(
  name: string,
  seed: number,
  shape: SeriesShape,
  days: number,
  scoredFromMs: number,
  incidentsPerDay: number,
): LabelledSeries {
  const next = seededRandom(seed);
  const steps = (days * DAY_MS) / MINUTE_MS;
  const phase = next() * 2 * Math.PI;
  const normal = (i: number): number =>
    shape.level *
    (1 + shape.dailyAmplitude * Math.sin((2 * Math.PI * i * MINUTE_MS) / DAY_MS + phase));
  const kinds: IncidentKind[] = ["level-up", "spike", "level-down", "drop-to-zero"];
  const sizes = [0.3, 0.5, 1, 2];
  const incidents: Incident[] = [];
  const count = Math.round(((days * DAY_MS - scoredFromMs) / DAY_MS) * incidentsPerDay);
  const slot = (days * DAY_MS - scoredFromMs) / count;
  for (let n = 0; n < count; n++) {
    const kind = kinds[(seed + n) % kinds.length] ?? "level-up";
    const length = kind === "spike" ? 10 : 30 + Math.floor(next() * 60);
    const startMs =
      Math.floor((scoredFromMs + n * slot + next() * (slot - 3 * 3_600_000)) / MINUTE_MS) *
      MINUTE_MS;
    incidents.push({
      kind,
      startMs,
      endMs: startMs + length * MINUTE_MS,
      size: sizes[(seed * 7 + n) % sizes.length] ?? 0.5,
    });
  }
  const values: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = i * MINUTE_MS;
    let v = normal(i) + shape.level * shape.noise * gaussian(next);
    if (next() < shape.outlierRate) v *= 1.5 + next() * 1.5;
    for (const incident of incidents) {
      if (t < incident.startMs || t >= incident.endMs) continue;
      switch (incident.kind) {
        case "level-up":
        case "spike":
          v += normal(i) * incident.size;
          break;
        case "level-down":
          v -= normal(i) * Math.min(incident.size, 0.8);
          break;
        case "drop-to-zero":
          v = 0;
          break;
      }
    }
    values.push(Math.max(0, v));
  }
  return { name, stepMs: MINUTE_MS, values, incidents };
}
