import type { Monitor } from "../../spec/model/monitor.js";
import { UNIT_INFO } from "../../spec/model/unit.js";
import { escapeTemplateText } from "../template/alert-template.js";
import {
  goSprintf,
  humanize,
  humanize1024,
  humanizeDuration,
} from "../template/prometheus-template-functions.js";

/** Words of monitor names people write in capitals (or their own way) in a sentence. */
const WORD_SPELLING: Readonly<Record<string, string>> = {
  api: "API",
  cpu: "CPU",
  dcgm: "DCGM",
  ecc: "ECC",
  gpu: "GPU",
  gpus: "GPUs",
  http: "HTTP",
  id: "ID",
  js: "JS",
  kl: "KL",
  ks: "KS",
  kv: "KV",
  llm: "LLM",
  mig: "MIG",
  nan: "NaN",
  nccl: "NCCL",
  nvlink: "NVLink",
  oom: "OOM",
  pcie: "PCIe",
  psi: "PSI",
  rocm: "ROCm",
  slo: "SLO",
  sm: "SM",
  tpot: "TPOT",
  ttft: "TTFT",
  xid: "XID",
};

/** `training-loss-spike` → `Training loss spike`; `gpu-xid-errors` → `GPU XID errors`. */
export function titleOf(monitor: Monitor): string {
  const words = monitor.name
    .split("-")
    .map((w) => WORD_SPELLING[w] ?? (/^p\d+$/.test(w) ? w.toUpperCase() : w));
  const first = words[0] ?? "";
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(" ");
}

/** ` on run_id={{ $labels.run_id }}` naming the group the alert is about, when known. */
export function groupText(monitor: Monitor): string {
  if (!monitor.by || monitor.by.length === 0) return "";
  return ` on ${monitor.by.map((label) => `${label}={{ $labels.${label} }}`).join(", ")}`;
}

/** The signal, quoted for a description, with template delimiters neutralised. */
export function signalText(monitor: Monitor): string {
  return "`" + escapeTemplateText(monitor.signal.expr) + "`";
}

/**
 * Up to six significant digits, trailing zeros dropped, and no exponent below a million:
 * Go's `%.4g` wrote 12,340 ms as "1.234e+04 ms" and a 15 kW threshold as "1.5e+04 W".
 */
const PLAIN_NUMBER = "%.6g";

/**
 * `$value` as the alert's text prints it, in the monitor's unit: Prometheus's own
 * humanize functions where one fits the unit (`945.8ms`, `1.5GiB`, `95%`, `1.41GHz`),
 * else the plain number and the unit's symbol.
 */
export function valueText(monitor: Monitor): string {
  const unit = monitor.unit;
  if (unit === undefined) return `{{ printf "${PLAIN_NUMBER}" $value }}`;
  switch (unit) {
    case "seconds":
      return "{{ $value | humanizeDuration }}";
    case "bytes":
      return "{{ $value | humanize1024 }}B";
    case "ratio":
      return "{{ $value | humanizePercentage }}";
    case "joules":
    case "hertz":
      return `{{ $value | humanize }}${UNIT_INFO[unit].symbol}`;
    case "percent":
      return `{{ printf "${PLAIN_NUMBER}" $value }}%`;
    default:
      return `{{ printf "${PLAIN_NUMBER}" $value }} ${UNIT_INFO[unit].symbol}`;
  }
}

/**
 * A share written exactly as a percentage (0.99995 → "99.995%"): a limit is a constant,
 * and `humanizePercentage`'s four digits would write 0.99995 as "100%".
 */
export function percentLiteral(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(12))}%`;
}

/** A constant of the signal (a threshold), printed as valueText prints values. */
export function quantityText(monitor: Monitor, value: number, literal: string): string {
  const unit = monitor.unit;
  if (unit === undefined) return literal;
  switch (unit) {
    case "seconds":
      return humanizeDuration(value);
    case "bytes":
      return `${humanize1024(value)}B`;
    case "ratio":
      return percentLiteral(value);
    case "joules":
    case "hertz":
      return `${humanize(value)}${UNIT_INFO[unit].symbol}`;
    case "percent":
      return `${goSprintf(PLAIN_NUMBER, [value])}%`;
    default:
      return `${goSprintf(PLAIN_NUMBER, [value])} ${UNIT_INFO[unit].symbol}`;
  }
}
