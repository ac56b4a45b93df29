import type { SeriesFile } from "../../../rulegen/backtest/replay-plan.js";
import { seededRandom } from "../../../test/support/seeded-random.js";
import { gaussian } from "../quality/synthetic-series.js";

const DAY = 86_400_000;
/** Two weeks, starting on a Monday (UTC), as the check asks. */
const START = Date.parse("2024-01-01T00:00:00Z");
const LENGTH = 14 * DAY;

/** Shapes without any anomaly: every alert on them is false. */
const SHAPES: readonly { name: string; value: (t: number) => number; scale: number }[] = [
  { name: "flat", value: () => 100, scale: 100 },
  { name: "flat-at-0", value: () => 0, scale: 20 },
  { name: "daily-sine", value: (t) => 100 + 50 * Math.sin((2 * Math.PI * t) / DAY), scale: 100 },
  { name: "square-wave", value: (t) => (t % DAY < DAY / 2 ? 100 : 300), scale: 200 },
];

/** Noise levels: none, and Gaussian noise of 5% and 20% of the shape's scale. */
const NOISE = [0, 0.05, 0.2] as const;

/**
 * The generated normal series: flat, flat at 0, a daily sine and a daily square wave,
 * each clean and with Gaussian noise (5%, "noisy" 20%), sampled every minute and every
 * five minutes, two weeks each. Deterministic.
 */
export function normalSeries(): SeriesFile[] {
  const files: SeriesFile[] = [];
  let seed = 1;
  for (const stepMs of [60_000, 300_000])
    for (const shape of SHAPES)
      for (const noise of NOISE) {
        const next = seededRandom(seed++);
        const samples = [];
        for (let t = 0; t < LENGTH; t += stepMs)
          samples.push({
            t: START + t,
            v: shape.value(t) + (noise > 0 ? noise * shape.scale * gaussian(next) : 0),
          });
        const label = noise === 0 ? "clean" : `noise-${noise * 100}pct`;
        files.push({ name: `${stepMs / 60_000}m/${shape.name}-${label}.csv`, samples });
      }
  return files;
}
