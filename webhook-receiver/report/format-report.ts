import { humanDuration } from "../render/render-context.js";
import type { AlertReport } from "./alert-report.js";

/** The report as text tables for a terminal. */
export function formatAlertReport(report: AlertReport): string {
  const lines: string[] = [];
  lines.push(
    `Alert report ${new Date(report.from).toISOString()} .. ${new Date(report.to).toISOString()}: ${report.notifications} notifications`,
    "",
  );
  lines.push(
    "By alert",
    ...table(
      ["alert", "severity", "episodes", "notifications"],
      report.byAlert.map((a) => [
        a.alertname,
        a.severity,
        String(a.episodes),
        String(a.notifications),
      ]),
    ),
    "",
  );
  lines.push(
    "By severity",
    ...table(
      ["severity", "episodes", "notifications"],
      report.bySeverity.map((s) => [s.severity, String(s.episodes), String(s.notifications)]),
    ),
    "",
  );
  lines.push(
    "Noisiest",
    ...table(
      ["alert", "severity", "notifications"],
      report.noisiest.map((a) => [a.alertname, a.severity, String(a.notifications)]),
    ),
    "",
  );
  lines.push(
    "Flapping (one series firing 3 or more times)",
    ...(report.flapping.length === 0
      ? ["  none"]
      : table(
          ["alert", "fingerprint", "episodes"],
          report.flapping.map((f) => [f.alertname, f.fingerprint, String(f.episodes)]),
        )),
    "",
  );
  lines.push(
    "Time to resolve",
    ...(report.timeToResolve.length === 0
      ? ["  no resolved alerts"]
      : table(
          ["alert", "resolved", "median", "max"],
          report.timeToResolve.map((t) => [
            t.alertname,
            String(t.resolved),
            humanDuration(t.medianMs),
            humanDuration(t.maxMs),
          ]),
        )),
  );
  return lines.join("\n") + "\n";
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return ["  none"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    "  " +
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
