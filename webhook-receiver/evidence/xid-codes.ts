import { codesChangedTo, eventValues } from "./event-series.js";
import type { Labels, Series } from "./series.js";

/**
 * Where the XID code of a GPU event can be read: aiwatch's per-code counter (label `xid`),
 * and dcgm-exporter's gauge holding the last code (also exposed by aiwatch's dcgm mode).
 */
export const XID_SOURCES = [
  { metric: "aiwatch_gpu_xid_errors_total", kind: "counter" },
  { metric: "DCGM_FI_DEV_XID_ERRORS", kind: "event_code" },
] as const;

export interface XidEvents {
  readonly labels: Labels;
  readonly codes: readonly number[];
}

/** XID codes that occurred at or after `fromMs`, per GPU series. */
export function xidEvents(
  source: (typeof XID_SOURCES)[number],
  series: readonly Series[],
  window: { readonly startMs: number; readonly stepMs: number; readonly fromMs: number },
): XidEvents[] {
  const out: XidEvents[] = [];
  for (const s of series) {
    let codes: number[];
    if (source.kind === "counter") {
      const code = Number(s.labels["xid"]);
      const grew = eventValues(s.samples, "counter", window.startMs, window.stepMs).some(
        (x) => x.t >= window.fromMs && x.v > 0,
      );
      codes = grew && Number.isInteger(code) ? [code] : [];
    } else codes = codesChangedTo(s.samples, window.fromMs);
    if (codes.length > 0) out.push({ labels: s.labels, codes });
  }
  return out;
}
