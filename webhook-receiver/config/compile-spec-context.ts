import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import { compileSpecs } from "../../rulegen/compile.js";
import { specContextOf } from "../../spec/context/spec-context.js";
import type { SpecContext } from "../../spec/context/spec-context.js";
import type { SpecSource } from "../../spec/load/spec-source.js";
import { monitorBands } from "../incidents/monitor-bands.js";
import type { MonitorBands } from "../incidents/monitor-bands.js";

export type SpecContextResult =
  | { readonly ok: true; readonly context: SpecContext; readonly bands: MonitorBands }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * The spec context from rulegen's own compile (rulegen/compile.ts, its public entry): a
 * spec that `aiwatch rules check` refuses is refused here too, with the same diagnostics,
 * so the receiver never reasons about monitors the rules do not have.
 */
export function compileSpecContext(sources: readonly SpecSource[]): SpecContextResult {
  const compiled = compileSpecs(sources);
  if (compiled.diagnostics.length > 0) return { ok: false, diagnostics: compiled.diagnostics };
  const models = compiled.specs.map((spec) => spec.model);
  return {
    ok: true,
    context: specContextOf(
      models,
      sources.map((source) => source.file),
    ),
    bands: monitorBands(models),
  };
}
