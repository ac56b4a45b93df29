import type { MonitorContext } from "../../spec/context/spec-context.js";

/**
 * Prior weight of a piece of evidence: some signals are causes far more often than
 * consequences. A GPU that fell off the bus (XID 79) or a double-bit ECC error cannot be
 * caused by a loss spike; a graphics exception (XID 13) is as often the application's own
 * fault. A rule matches a monitor by name, by its signal's metric (and equality matchers),
 * or by XID codes seen on the evidence's GPU or node; the highest matching weight wins.
 */
export interface PriorRule {
  readonly monitor?: string;
  readonly metric?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly xid?: readonly number[];
  readonly weight: number;
  readonly reason: string;
}

/**
 * XID meanings from NVIDIA's "XID Errors" catalogue
 * (https://docs.nvidia.com/deploy/xid-errors/index.html).
 */
export const DEFAULT_PRIORS: readonly PriorRule[] = [
  { xid: [79], weight: 3, reason: "XID 79: GPU has fallen off the bus" },
  { xid: [48], weight: 2.5, reason: "XID 48: double-bit ECC error" },
  { xid: [95], weight: 2.5, reason: "XID 95: uncontained ECC error" },
  { xid: [94], weight: 2, reason: "XID 94: contained ECC error" },
  { xid: [64], weight: 2, reason: "XID 64: ECC page retirement or row remapping failure" },
  { xid: [74], weight: 2, reason: "XID 74: NVLink error" },
  { xid: [119, 120], weight: 2, reason: "XID 119/120: GSP error" },
  {
    xid: [63, 92],
    weight: 1.5,
    reason: "XID 63/92: ECC page retirement or high single-bit ECC rate",
  },
  { xid: [13, 31, 43], weight: 0.8, reason: "XID 13/31/43: often the application's own fault" },
  {
    metric: "aiwatch_gpu_ecc_errors_total",
    labels: { error_type: "uncorrected" },
    weight: 2.5,
    reason: "uncorrectable ECC errors",
  },
  { metric: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", weight: 2.5, reason: "uncorrectable ECC errors" },
  { metric: "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", weight: 2.5, reason: "uncorrectable ECC errors" },
  { metric: "aiwatch_gpu_remapped_rows_failure", weight: 2, reason: "row remapping failure" },
  { metric: "DCGM_FI_DEV_ROW_REMAP_FAILURE", weight: 2, reason: "row remapping failure" },
];

export interface Prior {
  readonly weight: number;
  readonly reason?: string;
}

export const NEUTRAL_PRIOR: Prior = { weight: 1 };

/** The prior of evidence from `monitor`, given the XID codes seen where it was observed. */
export function priorFor(
  monitor: MonitorContext | undefined,
  xidCodes: readonly number[],
  rules: readonly PriorRule[],
): Prior {
  let best: Prior | undefined;
  for (const rule of rules) {
    if (!matches(rule, monitor, xidCodes)) continue;
    if (!best || rule.weight > best.weight) best = { weight: rule.weight, reason: rule.reason };
  }
  return best ?? NEUTRAL_PRIOR;
}

function matches(
  rule: PriorRule,
  monitor: MonitorContext | undefined,
  xidCodes: readonly number[],
): boolean {
  if (rule.monitor === undefined && rule.metric === undefined && rule.xid === undefined)
    return false;
  if (rule.monitor !== undefined && rule.monitor !== monitor?.name) return false;
  if (rule.metric !== undefined && rule.metric !== monitor?.selector?.metric) return false;
  for (const [name, value] of Object.entries(rule.labels ?? {}))
    if (
      !monitor?.selector?.matchers.some((m) => m.name === name && m.op === "=" && m.value === value)
    )
      return false;
  if (rule.xid !== undefined && !rule.xid.some((code) => xidCodes.includes(code))) return false;
  return true;
}
