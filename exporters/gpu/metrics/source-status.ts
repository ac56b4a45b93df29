import type { NotExported } from "../tools/field-reading.js";
import type { FailureReason } from "../tools/source-failure.js";
import { SOURCE_METRICS } from "./collector-metrics.js";
import type { Sample } from "./metric-def.js";

/** Per-source health and field accounting, rendered into the source families. */
export class SourceStatus {
  private readonly up = new Map<string, number>();
  private readonly durations = new Map<string, number>();
  private readonly errors = new Map<string, { source: string; reason: string; count: number }>();

  succeeded(source: string, durationMs: number): void {
    this.up.set(source, 1);
    this.durations.set(source, durationMs / 1000);
  }

  failed(source: string, reason: FailureReason, durationMs: number): void {
    this.up.set(source, 0);
    this.durations.set(source, durationMs / 1000);
    const key = `${source}\u0000${reason}`;
    const entry = this.errors.get(key) ?? { source, reason, count: 0 };
    entry.count++;
    this.errors.set(key, entry);
  }

  samples(): Sample[] {
    const samples: Sample[] = [];
    for (const [source, value] of this.up)
      samples.push({ def: SOURCE_METRICS.up, labels: { source }, value });
    for (const [source, value] of this.durations)
      samples.push({ def: SOURCE_METRICS.duration, labels: { source }, value });
    for (const { source, reason, count } of this.errors.values())
      samples.push({ def: SOURCE_METRICS.errors, labels: { source, reason }, value: count });
    return samples;
  }
}

/** `aiwatch_gpu_fields_not_exported`: how many devices left each field out, and why. */
export function notExportedSamples(entries: readonly NotExported[]): Sample[] {
  const counts = new Map<string, { entry: NotExported; count: number }>();
  for (const entry of entries) {
    const key = `${entry.source}\u0000${entry.field}\u0000${entry.reason}`;
    const current = counts.get(key) ?? { entry, count: 0 };
    current.count++;
    counts.set(key, current);
  }
  return [...counts.values()].map(({ entry, count }) => ({
    def: SOURCE_METRICS.notExported,
    labels: { source: entry.source, field: entry.field, reason: entry.reason },
    value: count,
  }));
}
