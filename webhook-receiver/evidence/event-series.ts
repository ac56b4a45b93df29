import type { MonitorContext, SignalValueKind } from "../../spec/context/spec-context.js";
import { labelsText } from "./series.js";
import type { Labels, Sample, Series } from "./series.js";

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
  // A NaN sample is no reset: it is shown as NaN, and the next increase is counted from
  // the last number (NaN - 5 < 0 took the reset branch and counted a lifetime total).
  let lastNumber = first && !Number.isNaN(first.v) ? first.v : undefined;
  for (let i = 1; i < samples.length; i++) {
    const previous = samples[i - 1];
    const current = samples[i];
    if (!previous || !current) continue;
    if (kind === "counter") {
      if (Number.isNaN(current.v)) {
        out.push({ t: current.t, v: NaN });
        continue;
      }
      const delta = lastNumber === undefined ? 0 : current.v - lastNumber;
      out.push({ t: current.t, v: delta >= 0 ? delta : Math.max(0, current.v) });
      lastNumber = current.v;
    } else out.push({ t: current.t, v: current.v !== previous.v && current.v !== 0 ? 1 : 0 });
  }
  return out;
}

/**
 * A monitor's series as strength reads them, one per group: levels as they are read, event
 * codes per series, and a counter's series each differenced on its own (`eventValues`)
 * before a group's increases are summed step by step. Summed first, one replica's restart
 * (its counter back to 0) made the group's sum fall, and the next difference took the
 * whole remaining sum for an increase ("545 over the window" where ~35 happened).
 */
export function signalSeries(
  monitor: Pick<MonitorContext, "valueKind" | "by" | "aggregateInQuery">,
  series: readonly Series[],
  windowStartMs: number,
  stepMs: number,
): Series[] {
  if (monitor.valueKind === "gauge") return [...series];
  const read = series.map((s) => ({
    labels: s.labels,
    samples: eventValues(s.samples, monitor.valueKind, windowStartMs, stepMs),
  }));
  if (monitor.valueKind !== "counter" || !monitor.aggregateInQuery || !monitor.by) return read;
  return sumByGroup(read, monitor.by);
}

/**
 * Series summed per value of the `by` labels, as `sum by` would (a label a series lacks is
 * left out of its group's labels), at each step any of them has a value.
 */
function sumByGroup(series: readonly Series[], by: readonly string[]): Series[] {
  const groups = new Map<string, { labels: Labels; sums: Map<number, number> }>();
  for (const s of series) {
    const labels = Object.fromEntries(
      by.flatMap((name) => {
        const value = s.labels[name];
        return value !== undefined && value !== "" ? [[name, value] as const] : [];
      }),
    );
    const key = labelsText(labels);
    const group = groups.get(key) ?? { labels, sums: new Map<number, number>() };
    groups.set(key, group);
    for (const { t, v } of s.samples) group.sums.set(t, (group.sums.get(t) ?? 0) + v);
  }
  return [...groups.values()].map(({ labels, sums }) => ({
    labels,
    samples: [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v })),
  }));
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
