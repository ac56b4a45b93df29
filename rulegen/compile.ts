import type { Diagnostic } from "../core/diagnostics/diagnostic.js";
import { sortDiagnostics } from "../core/diagnostics/format.js";
import { mapSpecToModel } from "../spec/model/map-spec.js";
import type { SpecModel } from "../spec/model/monitor.js";
import { detectorFor } from "./detectors/registry.js";
import { detectorWarnings } from "./validate/detector-warnings.js";
import { planRuleFile } from "./plan/plan-rule-file.js";
import { generatedHeader } from "./render/header.js";
import { renderTestFile } from "./render/render-test-file.js";
import { loadSpec } from "../spec/load/load-spec.js";
import type { SpecSource } from "../spec/load/spec-source.js";
import { renderForTarget } from "./targets/render-target.js";
import type { Target } from "../spec/model/target.js";
import { targetWarnings } from "./targets/target-warnings.js";
import { planTestFile } from "./testgen/plan-test-file.js";
import { checkLabels } from "./validate/check-labels.js";
import { checkMonitors } from "./validate/check-monitors.js";
import { checkNames } from "./validate/check-names.js";
import { checkSignals } from "./validate/check-signals.js";
import { checkTemplates } from "./validate/check-templates.js";
import { checkTestable } from "./validate/check-testable.js";
import { withSelfMonitoring } from "./self-monitoring/plan-self-monitoring.js";
import { withSelfMonitoringTests } from "./self-monitoring/plan-self-monitoring-tests.js";
import { problemToDiagnostic } from "../spec/diagnostics/problem.js";
import type { SpecProblem } from "../spec/diagnostics/problem.js";

export interface GeneratedFile {
  readonly name: string;
  readonly content: string;
}

export interface CompiledSpec {
  readonly model: SpecModel;
  readonly files: readonly GeneratedFile[];
}

export interface CompileResult {
  readonly specs: readonly CompiledSpec[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * parse → validate → map → validate the model → plan → render, for each spec. Nothing is
 * generated for a spec with errors; every error of every spec is reported, sorted.
 */
export interface CompileOptions {
  /** The rule engine the output is for (default prometheus). */
  readonly target?: Target;
}

export function compileSpecs(
  sources: readonly SpecSource[],
  options: CompileOptions = {},
): CompileResult {
  const target = options.target ?? "prometheus";
  const diagnostics: Diagnostic[] = [];
  const specs: CompiledSpec[] = [];
  const monitorOwners = new Map<string, string>();
  const specNames = new Map<string, string>();
  for (const source of sources) {
    const loaded = loadSpec(source.file, source.text);
    if (!loaded.ok) {
      diagnostics.push(...loaded.diagnostics);
      continue;
    }
    const { document, spec } = loaded;
    const signals = checkSignals(spec);
    const model = mapSpecToModel(
      spec,
      source.file,
      baseName(source.file),
      signals.signals,
      {
        forMs: (detector, settings) => detectorFor(detector.type).defaultForMs(settings),
        keepFiringForMs: (detector) =>
          detectorFor(detector.type).defaultKeepFiringForMs?.(detector),
      },
      target,
    );
    const brokenSignals = new Set(signals.problems.map((p) => p.path[1] as number));
    const problems: SpecProblem[] = [
      ...signals.problems,
      ...checkLabels(spec),
      ...checkTemplates(spec),
      ...checkNames(model, monitorOwners),
      ...checkMonitors(model, brokenSignals),
      ...checkTestable(model),
    ];
    const owner = specNames.get(model.name);
    if (owner !== undefined) {
      problems.push({
        code: "duplicate-name",
        message: `spec name "${model.name}" is also used by ${owner}; output files would collide (set \`name\`)`,
        path: spec.name ? ["name"] : [],
      });
    }
    specNames.set(model.name, source.file);
    for (const monitor of model.monitors)
      if (!monitorOwners.has(monitor.name)) monitorOwners.set(monitor.name, source.file);
    if (problems.length > 0) {
      diagnostics.push(...problems.map((p) => problemToDiagnostic(document, p)));
      continue;
    }
    diagnostics.push(
      ...[...detectorWarnings(model), ...targetWarnings(model, target)].map((p) => ({
        ...problemToDiagnostic(document, p),
        severity: "warning" as const,
      })),
    );
    specs.push({ model, files: renderSpec(model, source.displayName) });
  }
  return { specs, diagnostics: sortDiagnostics(diagnostics) };
}

function renderSpec(model: SpecModel, displayName: string): GeneratedFile[] {
  const target = model.settings.target;
  const targetFlag = target === "prometheus" ? "" : ` --target ${target}`;
  const header = generatedHeader(
    displayName,
    `aiwatch rules compile ${displayName} --out .${targetFlag}`,
  );
  const plan = withSelfMonitoring(planRuleFile(model), model);
  const output = renderForTarget(plan, model, target, header);
  const files: GeneratedFile[] = [{ name: output.ruleFileName, content: output.ruleFile }];
  if (output.withTests) {
    const tests = withSelfMonitoringTests(planTestFile(model, output.ruleFileName), model);
    files.push({ name: `${model.name}.test.yml`, content: renderTestFile(tests, header) });
  }
  return files;
}

/** Whether a compile produced errors (warnings alone do not fail it). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.(ya?ml)$/i, "");
}
