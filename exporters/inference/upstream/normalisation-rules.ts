/** Label sets of an upstream sample, as pairs. */
export type UpstreamLabels = readonly (readonly [string, string])[];

/**
 * How one aiwatch family is computed from an upstream server's families. Samples whose
 * labels map to the same aiwatch label set are summed (or maxed), so labels aiwatch
 * does not keep (vLLM's `engine`, Triton's `gpu_uuid`) are aggregated away.
 */
export type NormalisationRule =
  | {
      readonly kind: "copy";
      readonly target: string;
      /** Upstream families; `first`: the first present is used (names change across versions); `all`: summed. */
      readonly from: readonly string[];
      readonly use: "first" | "all";
      /** Multiplies values (and bucket bounds): 1e-6 for microseconds, 1e-3 for milliseconds. */
      readonly scale?: number;
      readonly aggregate?: "sum" | "max";
      readonly where?: (labels: UpstreamLabels) => boolean;
      /** The value of the target's extra label (`class`, `stage`), if it has one. */
      readonly extra?: (labels: UpstreamLabels) => string;
    }
  | {
      /** A histogram with only the +Inf bucket, from a cumulative duration and a count. */
      readonly kind: "sum_and_count";
      readonly target: string;
      readonly sum: string;
      readonly count: string;
      readonly scale: number;
    };

/** An upstream server kind: where its model and version labels are, and its rules. */
export interface UpstreamDialect {
  readonly modelLabel: string;
  /** Its version label, when the server has one (Triton); else the target's configured version. */
  readonly versionLabel: string | undefined;
  readonly rules: readonly NormalisationRule[];
}

export function labelValue(labels: UpstreamLabels, name: string): string | undefined {
  for (const [label, value] of labels) if (label === name) return value;
  return undefined;
}
