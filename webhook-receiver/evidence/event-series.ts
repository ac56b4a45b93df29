import type { SignalValueKind } from "../../spec/context/spec-context.js";
import type { Sample } from "./series.js";

/**
 * The values strength is measured on. A level (gauge) is read as it is. A counter is read
 * as its increase per step (a reset counts its new value, as Prometheus's increase() does),
 * and a counter that first appears inside the window counts its first value too: exporters
 * create a per-code counter with its first event (`aiwatch_gpu_xid_errors_total{xid}`).
 * An event-code gauge (dcgm-exporter's XID gauge) is 1 where it changed to a non-zero code.
 */
export function eventValues(
  samples: readonly Sample[],
  kind: SignalValueKind,
  windowStartMs: number,
  stepMs: number,
): Sample[] {
  if (kind === "gauge") return [...samples];
  const out: Sample[] = [];
  const first = samples[0];
  if (first && first.t > windowStartMs + stepMs)
    out.push({ t: first.t, v: kind === "counter" ? Math.max(0, first.v) : first.v !== 0 ? 1 : 0 });
  for (let i = 1; i < samples.length; i++) {
    const previous = samples[i - 1];
    const current = samples[i];
    if (!previous || !current) continue;
    if (kind === "counter") {
      const delta = current.v - previous.v;
      out.push({ t: current.t, v: delta >= 0 ? delta : Math.max(0, current.v) });
    } else out.push({ t: current.t, v: current.v !== previous.v && current.v !== 0 ? 1 : 0 });
  }
  return out;
}

/** Distinct non-zero codes an event-code gauge changed to at or after `fromMs`. */
export function codesChangedTo(samples: readonly Sample[], fromMs: number): number[] {
  const codes = new Set<number>();
  for (let i = 0; i < samples.length; i++) {
    const current = samples[i];
    if (!current || current.t < fromMs || current.v === 0 || !Number.isFinite(current.v)) continue;
    const previous = samples[i - 1];
    if (previous === undefined || previous.v !== current.v) codes.add(current.v);
  }
  return [...codes].sort((a, b) => a - b);
}
