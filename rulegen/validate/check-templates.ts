import type { SpecDocument } from "../../spec/schema/spec-schema.js";
import { parseAlertTemplate } from "../template/alert-template.js";
import type { SpecProblem } from "../../spec/diagnostics/problem.js";

/** Templates users write must be ones a generated test can render exactly. */
export function checkTemplates(spec: SpecDocument): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const check = (text: string | undefined, path: (string | number)[]): void => {
    if (text === undefined) return;
    const parsed = parseAlertTemplate(text);
    if (!parsed.ok)
      problems.push({
        code: parsed.problem.code,
        message: `${String(path[path.length - 1])}: ${parsed.problem.message}`,
        path,
        offset: parsed.problem.offset,
      });
  };
  Object.entries(spec.defaults?.labels ?? {}).forEach(([k, v]) =>
    check(v, ["defaults", "labels", k]),
  );
  spec.monitors.forEach((m, i) => {
    check(m.summary, ["monitors", i, "summary"]);
    check(m.description, ["monitors", i, "description"]);
    check(m.runbook_url, ["monitors", i, "runbook_url"]);
    Object.entries(m.labels ?? {}).forEach(([k, v]) => check(v, ["monitors", i, "labels", k]));
  });
  return problems;
}
