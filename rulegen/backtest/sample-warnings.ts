import { formatDuration } from "../../core/duration.js";
import type { Monitor, Settings } from "../../spec/model/monitor.js";
import { detectorFor } from "../detectors/registry.js";
import { samplesHeld } from "../detectors/sample-gates.js";
import type { Sample } from "./series-file.js";

/** Prometheus's default lookback: an instant selector sees a sample this long. */
const LOOKBACK_MS = 5 * 60_000;

/** The median gap between samples: the series' own sample interval. */
export function sampleIntervalMs(samples: readonly Sample[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const gap = (samples[i]?.t ?? 0) - (samples[i - 1]?.t ?? 0);
    if (gap > 0) gaps.push(gap);
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? 0;
}

/**
 * What a series' own sample interval makes impossible: a gate sized for the spec's
 * scrape interval that the series can never fill (the monitor stays silent), and a `for`
 * longer than the lookback on a series sampled more rarely (the signal is absent between
 * samples, so the condition never holds that long).
 */
export function seriesSampleWarnings(
  monitors: readonly Monitor[],
  settings: Settings,
  series: string,
  samples: readonly Sample[],
): string[] {
  const intervalMs = sampleIntervalMs(samples);
  if (intervalMs === 0) return [];
  const every = formatDuration(intervalMs);
  const warnings: string[] = [];
  for (const monitor of monitors) {
    for (const gate of detectorFor(monitor.detector.type).sampleGates?.(monitor, settings) ?? []) {
      const held = samplesHeld(gate, intervalMs);
      if (held < gate.minSamples)
        warnings.push(
          `${monitor.name} cannot fire on ${series}: ${gate.what} must hold ${gate.minSamples} samples (sized for one every ${formatDuration(gate.sizedForMs)}), the series has one every ${every} (${held} in ${formatDuration(gate.windowMs)}); set defaults.scrape_interval to ${every} or lengthen detector.${gate.path.join(".").replace(/^detector\./, "")}`,
        );
    }
    if (intervalMs > LOOKBACK_MS && monitor.forMs >= LOOKBACK_MS)
      warnings.push(
        `${monitor.name} cannot fire on ${series}: the series has one sample every ${every}, and Prometheus sees a sample for ${formatDuration(LOOKBACK_MS)}, so the condition never holds for \`for: ${formatDuration(monitor.forMs)}\``,
      );
  }
  return warnings;
}
