import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import { validateAgainstSchema } from "../../core/config/schema-diagnostics.js";
import { parseSourceDocument } from "../../core/yaml/source-document.js";
import type { SourceDocument } from "../../core/yaml/source-document.js";
import { expandPresets } from "../presets/expand-presets.js";
import { problemToDiagnostic } from "../diagnostics/problem.js";
import { SPEC_VERSION, specSchema } from "../schema/spec-schema.js";
import type { SpecDocument } from "../schema/spec-schema.js";

export type LoadedSpec =
  | { readonly ok: true; readonly document: SourceDocument; readonly spec: SpecDocument }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function loadSpec(file: string, text: string): LoadedSpec {
  const parsed = parseSourceDocument(file, text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const document = parsed.document;
  const version = (document.value as { version?: unknown } | null)?.version;
  if (version !== undefined && version !== SPEC_VERSION) {
    return {
      ok: false,
      diagnostics: [
        {
          code: "unsupported-version",
          severity: "error",
          message: `version ${JSON.stringify(version)} is not supported (expected "${SPEC_VERSION}")`,
          file,
          position: document.positionOf(["version"]),
          path: ["version"],
        },
      ],
    };
  }
  const expansion = expandPresets(document.value);
  // Positions still come from the user's YAML: preset fields resolve to their monitor.
  const expanded: SourceDocument = { ...document, value: expansion.value };
  const result = validateAgainstSchema(expanded, specSchema);
  const presetProblems = expansion.problems.map((p) => problemToDiagnostic(document, p));
  // A monitor whose preset could not be applied lacks its fields: say that, not each one.
  const broken = new Set(expansion.problems.map((p) => p.path[1]));
  const schemaProblems = result.ok
    ? []
    : result.diagnostics
        .filter((d) => !(d.path?.[0] === "monitors" && broken.has(d.path[1] ?? -1)))
        .map(refineCode);
  if (!result.ok || presetProblems.length > 0)
    return { ok: false, diagnostics: [...presetProblems, ...schemaProblems] };
  return { ok: true, document, spec: result.value };
}

/** Schema issues whose generic code has a more telling one in a spec. */
function refineCode(d: Diagnostic): Diagnostic {
  const path = d.path ?? [];
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (d.code === "invalid-value" && parent === "detector" && last === "type")
    return { ...d, code: "unknown-detector" };
  if (
    d.code === "invalid-value" &&
    path[0] === "monitors" &&
    (last === "name" || last === "alert") &&
    path.length === 3
  ) {
    return { ...d, code: "invalid-name" };
  }
  return d;
}
