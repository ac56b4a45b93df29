import { durationMs } from "../../../core/config/zod-fields.js";
import type { Severity } from "../../../spec/model/monitor.js";
import type { SloBurnRateParams } from "../../../spec/schema/detectors/slo-burn-rate.js";

export interface WindowPair {
  readonly longMs: number;
  readonly shortMs: number;
  readonly long: string;
  readonly short: string;
  readonly burnRate: number;
  readonly severity: Severity | undefined;
}

/**
 * The Google SRE workbook's defaults, as shares of the error budget spent: 2% in 1h and
 * 5% in 6h page, 10% in 1d and in 3d open a ticket. The burn rate that spends `share` of
 * the budget in `long` is share x period / long (14.4, 6, 3, 1 for 30 days).
 */
const DEFAULTS = [
  { long: "1h", short: "5m", share: 0.02, severity: "critical" },
  { long: "6h", short: "30m", share: 0.05, severity: "critical" },
  { long: "1d", short: "2h", share: 0.1, severity: "warning" },
  { long: "3d", short: "6h", share: 0.1, severity: "warning" },
] as const;

export function windowPairs(params: SloBurnRateParams): WindowPair[] {
  if (params.windows) {
    return params.windows.map((w) => ({
      longMs: durationMs(w.long),
      shortMs: durationMs(w.short),
      long: w.long,
      short: w.short,
      burnRate: w.burn_rate,
      severity: w.severity,
    }));
  }
  const periodMs = durationMs(params.period);
  return DEFAULTS.map((d) => ({
    longMs: durationMs(d.long),
    shortMs: durationMs(d.short),
    long: d.long,
    short: d.short,
    burnRate: Number(((d.share * periodMs) / durationMs(d.long)).toPrecision(12)),
    severity: d.severity,
  }));
}

/** 1 - objective, without 1 - 0.999 = 0.0010000000000000009. */
export function errorBudget(params: SloBurnRateParams): number {
  return Number((1 - params.objective).toPrecision(12));
}
