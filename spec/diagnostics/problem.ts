import type { Diagnostic } from "../../core/diagnostics/diagnostic.js";
import type { SourceDocument } from "../../core/yaml/source-document.js";
import type { RulegenCode } from "./codes.js";

/** A problem found in a valid-YAML spec, located by its field path (and offset in a string). */
export interface SpecProblem {
  readonly code: RulegenCode;
  readonly message: string;
  readonly path: readonly (string | number)[];
  /** Offset inside the string value at `path` (PromQL and template errors). */
  readonly offset?: number;
  /** Point at the key rather than its value (unknown or misplaced keys). */
  readonly atKey?: boolean;
}

export function problemToDiagnostic(document: SourceDocument, problem: SpecProblem): Diagnostic {
  return {
    code: problem.code,
    severity: "error",
    message: problem.message,
    file: document.file,
    position: positionOf(document, problem),
    path: problem.path,
  };
}

function positionOf(document: SourceDocument, problem: SpecProblem) {
  if (problem.atKey) return document.keyPositionOf(problem.path);
  if (problem.offset !== undefined) {
    const scalar = document.scalarSourceOf(problem.path);
    // Offsets map one-to-one onto the source only for single-line plain or quoted text.
    if (scalar && scalar.style !== "block") {
      const line = document.text.slice(
        scalar.offset,
        document.text.indexOf("\n", scalar.offset) >>> 0,
      );
      if (problem.offset <= line.length)
        return document.positionAtOffset(scalar.offset + problem.offset);
    }
  }
  return document.positionOf(problem.path);
}
