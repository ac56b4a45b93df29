import type { SourcePosition } from "./diagnostic.js";

/** What JSON.parse refused, and where in the text (1-based line and column), when known. */
export interface JsonSyntaxError {
  /** V8's message without its position ("Expected double-quoted property name"). */
  readonly message: string;
  readonly position?: SourcePosition;
}

/**
 * Reads a JSON.parse SyntaxError of `text`. V8 gives a character offset ("in JSON at
 * position 67"; newer versions add "(line 3 column 5)"), or says the input ended, or
 * quotes the start of what it could not read ("Unexpected token 'a', "abc" is not valid
 * JSON", always at its first character). A person fixing a file or a payload wants a
 * line and a column, as every other input error here gives.
 */
export function jsonSyntaxError(text: string, error: unknown): JsonSyntaxError {
  const raw = error instanceof Error ? error.message : String(error);
  const at = /(?:\s+in JSON)? at position (\d+)(?:\s*\(line \d+ column \d+\))?$/.exec(raw);
  if (at) {
    const message = raw.slice(0, at.index);
    return { message, position: positionAt(text, Number(at[1])) };
  }
  if (/^Unexpected end of JSON input$/.test(raw))
    return { message: "unexpected end of the JSON input", position: positionAt(text, text.length) };
  const quoted = /^(Unexpected token .*?), ".*" is not valid JSON$/s.exec(raw);
  if (quoted?.[1]) {
    const first = text.search(/\S/);
    return { message: quoted[1], position: positionAt(text, first < 0 ? 0 : first) };
  }
  return { message: raw };
}

/** `error` as one line: the message, then where ("at line 3, column 5"). */
export function describeJsonSyntaxError(text: string, error: unknown): string {
  const { message, position } = jsonSyntaxError(text, error);
  return position ? `${message} at line ${position.line}, column ${position.col}` : message;
}

function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: end - lineStart + 1 };
}
