import type { Monitor } from "../../spec/model/monitor.js";
import { escapeTemplateText } from "../template/alert-template.js";

/** `training-loss-spike` → `Training loss spike`. */
export function titleOf(monitor: Monitor): string {
  const words = monitor.name.split("-").join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
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
