import type { SnapshotSample } from "../../exposition/snapshot-family.js";
import { NORMALISED_FAMILIES } from "./normalised-families.js";
import { labelValue } from "./normalisation-rules.js";
import type { NormalisationRule, UpstreamDialect, UpstreamLabels } from "./normalisation-rules.js";
import type { UpstreamFamily } from "./parse-exposition.js";

export interface UpstreamIdentity {
  /** The target's configured name: the `server` label. */
  readonly server: string;
  /** model_version for servers that do not export one (vLLM). */
  readonly modelVersion: string;
}

interface Accumulator {
  readonly labels: readonly (readonly [string, string])[];
  value: number;
  /** Histograms: cumulative count per bucket bound, by the bound's rendered text. */
  readonly buckets: Map<string, { bound: number; count: number }>;
  sum: number;
  count: number;
}

/**
 * Computes the aiwatch families from one scrape of an upstream server: renames, converts
 * units (bucket bounds too), keeps model/model_version/server (plus the rule's extra
 * label), and sums away every other label. Returns samples per aiwatch family.
 */
export function normaliseUpstream(
  families: ReadonlyMap<string, UpstreamFamily>,
  dialect: UpstreamDialect,
  identity: UpstreamIdentity,
): Map<string, SnapshotSample[]> {
  const byTarget = new Map<string, Map<string, Accumulator>>();
  const kinds = new Map<string, "scalar" | "histogram">();
  const keyOf = (labels: UpstreamLabels, extra: string | undefined, extraName: string) => {
    const out: [string, string][] = [
      ["model", labelValue(labels, dialect.modelLabel) ?? ""],
      [
        "model_version",
        (dialect.versionLabel ? labelValue(labels, dialect.versionLabel) : undefined) ??
          identity.modelVersion,
      ],
      ["server", identity.server],
    ];
    if (extra !== undefined) out.push([extraName, extra]);
    return out;
  };
  const accumulator = (target: string, labels: [string, string][]): Accumulator => {
    let forTarget = byTarget.get(target);
    if (!forTarget) {
      forTarget = new Map();
      byTarget.set(target, forTarget);
    }
    const key = labels.map(([, v]) => v).join("\u0000");
    let found = forTarget.get(key);
    if (!found) {
      found = { labels, value: NaN, buckets: new Map(), sum: 0, count: 0 };
      forTarget.set(key, found);
    }
    return found;
  };
  const find = (name: string) =>
    families.get(name) ?? (name.endsWith("_total") ? families.get(name.slice(0, -6)) : undefined);

  for (const rule of dialect.rules) {
    if (rule.kind === "sum_and_count") {
      applySumAndCount(rule, find, (labels) =>
        accumulator(rule.target, keyOf(labels, undefined, "")),
      );
      kinds.set(rule.target, "histogram");
      continue;
    }
    const sources = rule.from.map(find).filter((f): f is UpstreamFamily => f !== undefined);
    for (const family of rule.use === "first" ? sources.slice(0, 1) : sources) {
      const histogram = family.type === "histogram";
      kinds.set(rule.target, histogram ? "histogram" : "scalar");
      const extraName = EXTRA_LABELS.get(rule.target) ?? "kind";
      for (const sample of family.samples) {
        if (rule.where && !rule.where(sample.labels)) continue;
        const into = accumulator(
          rule.target,
          keyOf(sample.labels, rule.extra?.(sample.labels), extraName),
        );
        const scale = rule.scale ?? 1;
        if (!histogram) {
          const value = sample.value * scale;
          into.value = Number.isNaN(into.value)
            ? value
            : rule.aggregate === "max"
              ? Math.max(into.value, value)
              : into.value + value;
        } else if (sample.name.endsWith("_bucket")) {
          const le = labelValue(sample.labels, "le") ?? "+Inf";
          const bound = le === "+Inf" ? Infinity : Number(le) * scale;
          const text = formatBound(bound);
          const bucket = into.buckets.get(text) ?? { bound, count: 0 };
          bucket.count += sample.value;
          into.buckets.set(text, bucket);
        } else if (sample.name.endsWith("_sum")) into.sum += sample.value * scale;
        else if (sample.name.endsWith("_count")) into.count += sample.value;
      }
    }
  }

  const out = new Map<string, SnapshotSample[]>();
  for (const [target, accumulators] of byTarget) {
    const samples: SnapshotSample[] = [];
    for (const acc of accumulators.values()) {
      if (kinds.get(target) === "histogram") samples.push(...histogramSamples(acc));
      else if (!Number.isNaN(acc.value))
        samples.push({ suffix: "", labels: acc.labels, value: acc.value });
    }
    if (samples.length > 0) out.set(target, samples);
  }
  return out;
}

const EXTRA_LABELS = new Map(
  NORMALISED_FAMILIES.flatMap((spec) => (spec.extraLabel ? [[spec.name, spec.extraLabel]] : [])),
);

function applySumAndCount(
  rule: Extract<NormalisationRule, { kind: "sum_and_count" }>,
  find: (name: string) => UpstreamFamily | undefined,
  accumulator: (labels: UpstreamLabels) => Accumulator,
): void {
  const counts = find(rule.count);
  const sums = find(rule.sum);
  if (!counts || !sums) return;
  for (const sample of counts.samples) {
    const into = accumulator(sample.labels);
    into.count += sample.value;
    const inf = into.buckets.get("+Inf") ?? { bound: Infinity, count: 0 };
    inf.count += sample.value;
    into.buckets.set("+Inf", inf);
  }
  for (const sample of sums.samples) accumulator(sample.labels).sum += sample.value * rule.scale;
}

function histogramSamples(acc: Accumulator): SnapshotSample[] {
  const buckets = [...acc.buckets.entries()].sort((a, b) => a[1].bound - b[1].bound);
  if (buckets.length === 0 || buckets.at(-1)?.[1].bound !== Infinity)
    buckets.push(["+Inf", { bound: Infinity, count: acc.count }]);
  return [
    ...buckets.map(([le, bucket]) => ({
      suffix: "_bucket",
      labels: [...acc.labels, ["le", le] as const],
      value: bucket.count,
    })),
    { suffix: "_sum", labels: acc.labels, value: acc.sum },
    { suffix: "_count", labels: acc.labels, value: acc.count },
  ];
}

/** Bucket bounds as Prometheus clients print them; scaling must not leave 0.30000000000000004. */
function formatBound(bound: number): string {
  if (bound === Infinity) return "+Inf";
  return String(Number(bound.toPrecision(12)));
}
