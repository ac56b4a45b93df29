import { detectorFor } from "../detectors/registry.js";
import type { SpecModel } from "../../spec/model/monitor.js";
import type { SpecProblem } from "../../spec/diagnostics/problem.js";

/** Per-detector checks, and fields every monitor needs once defaults are applied. */
export function checkMonitors(
  model: SpecModel,
  brokenSignals: ReadonlySet<number> = new Set(),
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const { settings } = model;
  if (
    settings.evaluationIntervalMs % settings.scrapeIntervalMs !== 0 &&
    settings.scrapeIntervalMs % settings.evaluationIntervalMs !== 0
  ) {
    problems.push({
      code: "invalid-value",
      message:
        "defaults.evaluation_interval and defaults.scrape_interval must be multiples of one another",
      path: ["defaults", "evaluation_interval"],
    });
  }
  for (const monitor of model.monitors) {
    const at = ["monitors", monitor.specIndex];
    if (monitor.runbookUrl === "") {
      problems.push({
        code: "missing-key",
        message: `monitors[${monitor.specIndex}] needs runbook_url (or set defaults.runbook_base_url)`,
        path: at,
      });
    }
    // A detector cannot judge a signal that did not parse; that error is reported already.
    if (brokenSignals.has(monitor.specIndex)) continue;
    for (const p of detectorFor(monitor.detector.type).check(monitor, settings)) {
      problems.push({ ...p, path: [...at, ...p.path] });
    }
  }
  return problems;
}
