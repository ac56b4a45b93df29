import { formatDuration } from "../../core/duration.js";
import type { DetectorProblem } from "./detector.js";

/**
 * A gate on how many samples a window holds (a warm-up or coverage gate), as a detector
 * sized it: for one sample every `sizedForMs` (the scrape interval, or the evaluation
 * interval for a recorded signal). Samples closer together than `resolutionMs` count once
 * (a gate on buckets counts buckets that hold a sample).
 */
export interface SampleGate {
  /** What holds the samples, for messages: "the median's 1h window". */
  readonly what: string;
  readonly windowMs: number;
  readonly minSamples: number;
  readonly sizedForMs: number;
  readonly resolutionMs: number;
  /** The setting to change, relative to the monitor. */
  readonly path: readonly (string | number)[];
}

/** Fewer samples than this in a window make its statistics rough (a median of 9 values). */
export const FEW_SAMPLES = 10;

/** Samples a gate's window holds when the signal has one every `sampleMs`. */
export function samplesHeld(gate: SampleGate, sampleMs: number): number {
  return Math.floor(gate.windowMs / Math.max(sampleMs, gate.resolutionMs, 1));
}

/** At the spec's own sample interval: windows too short to hold a usable sample. */
export function fewSamplesWarnings(gates: readonly SampleGate[]): DetectorProblem[] {
  return gates.flatMap((gate) => {
    const held = samplesHeld(gate, gate.sizedForMs);
    return held < FEW_SAMPLES
      ? [
          {
            code: "few-samples" as const,
            message: `${gate.what} holds only ${held} sample${held === 1 ? "" : "s"} at one every ${formatDuration(gate.sizedForMs)}: its statistics will be rough; lengthen it`,
            path: gate.path,
          },
        ]
      : [];
  });
}
