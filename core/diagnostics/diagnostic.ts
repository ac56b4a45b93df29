/** 1-based line and column, as editors and `file:line:col` links count them. */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

export type DiagnosticSeverity = "error" | "warning";

/**
 * One problem found in user input. Positions are data; turning them into text is
 * `formatDiagnostic`'s job, so tests can match on `code` rather than on wording.
 */
export interface Diagnostic<Code extends string = string> {
  readonly code: Code;
  readonly severity: DiagnosticSeverity;
  readonly message: string;
  /** The file (or other source name, such as `<stdin>` or `request body`) the problem is in. */
  readonly file: string;
  readonly position?: SourcePosition;
  /** Field path inside the document, e.g. `monitors[2].detector.window`. */
  readonly path?: readonly (string | number)[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
