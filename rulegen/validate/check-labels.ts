import type { SpecDocument } from "../../spec/schema/spec-schema.js";
import { LAYER_LABEL, MONITOR_LABEL, SEVERITY_LABEL } from "../../spec/model/naming.js";
import type { SpecProblem } from "../../spec/diagnostics/problem.js";

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED = new Set([SEVERITY_LABEL, MONITOR_LABEL, LAYER_LABEL, "alertname"]);

export function checkLabels(spec: SpecDocument): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const checkMap = (
    labels: Record<string, string> | undefined,
    path: (string | number)[],
  ): void => {
    for (const name of Object.keys(labels ?? {})) {
      if (!LABEL_NAME.test(name) || name.startsWith("__")) {
        problems.push({
          code: "invalid-label-name",
          message: `"${name}" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`,
          path: [...path, name],
          atKey: true,
        });
      } else if (RESERVED.has(name)) {
        problems.push({
          code: "reserved-label",
          message: `label "${name}" is set by aiwatch; use the monitor's \`${name === "severity" ? "severity" : name === "layer" ? "layer" : "name"}\` field instead`,
          path: [...path, name],
          atKey: true,
        });
      }
    }
  };
  checkMap(spec.defaults?.labels, ["defaults", "labels"]);
  spec.monitors.forEach((monitor, i) => {
    checkMap(monitor.labels, ["monitors", i, "labels"]);
    (monitor.by ?? []).forEach((name, j) => {
      if (!LABEL_NAME.test(name) || name.startsWith("__")) {
        problems.push({
          code: "invalid-label-name",
          message: `by: "${name}" is not a valid label name`,
          path: ["monitors", i, "by", j],
        });
      } else if (name === MONITOR_LABEL) {
        problems.push({
          code: "reserved-label",
          message: `by: "${MONITOR_LABEL}" is the label aiwatch puts on its recorded series; it cannot group a signal`,
          path: ["monitors", i, "by", j],
        });
      }
    });
    const seen = new Set<string>();
    (monitor.by ?? []).forEach((name, j) => {
      if (seen.has(name))
        problems.push({
          code: "invalid-value",
          message: `by: "${name}" is listed twice`,
          path: ["monitors", i, "by", j],
        });
      seen.add(name);
    });
  });
  return problems;
}
