import Handlebars from "handlebars";

/** What an action's body template sees. */
export interface ActionBodyContext {
  readonly action: string;
  readonly dryRun: boolean;
  readonly status: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  /** Labels of the alert the analysis explained (the group's earliest firing one). */
  readonly labels: Readonly<Record<string, string>>;
  readonly alertname: string;
  readonly startsAt: string;
  readonly verdict: string | undefined;
  readonly confidence: number | undefined;
  readonly headline: string | undefined;
  readonly evidence: readonly {
    readonly monitor: string;
    readonly layer: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly score: number;
  }[];
  readonly externalURL: string | undefined;
}

export type ActionBodyTemplate = (context: ActionBodyContext) => string;

/**
 * Action bodies are handlebars templates in an environment of their own. Nothing is
 * escaped implicitly (bodies are JSON, form data or text, not HTML): `{{json x}}` writes a
 * value as a JSON literal, quotes and escapes included, which is what a JSON body needs for
 * any value taken from an alert.
 */
const handlebars = Handlebars.create();
handlebars.registerHelper("json", (value: unknown) =>
  JSON.stringify(value === undefined ? null : value),
);
handlebars.registerHelper("eq", (a: unknown, b: unknown) => a === b);

export type ActionBodyCompileResult =
  | { readonly ok: true; readonly template: ActionBodyTemplate }
  | { readonly ok: false; readonly message: string };

/** A value a JSON body would write as it is, where it is in the template. */
export interface UnescapedValue {
  /** The mustache as written, e.g. `{{labels.run_id}}`. */
  readonly text: string;
  /** 1-based, within the body template. */
  readonly line: number;
  readonly column: number;
}

/**
 * The mustaches of a JSON body that write a value outside `{{json …}}`. Nothing is escaped
 * in an action body, so `"run": "{{labels.run_id}}"` lets a label value (which whoever
 * sends the alert chooses) close the string and add keys of its own; `{{json x}}` writes
 * a JSON literal, quotes and escapes included. Block helpers (`{{#if}}`, `{{#each}}`)
 * write nothing themselves and are walked into. A template that does not parse has none
 * (compileActionBody reports it).
 */
export function unescapedJsonValues(source: string): UnescapedValue[] {
  let program: hbs.AST.Program;
  try {
    program = handlebars.parse(source);
  } catch {
    return [];
  }
  const lines = source.split("\n");
  const textOf = (loc: hbs.AST.SourceLocation): string => {
    if (loc.start.line === loc.end.line)
      return (lines[loc.start.line - 1] ?? "").slice(loc.start.column, loc.end.column);
    return `${(lines[loc.start.line - 1] ?? "").slice(loc.start.column)}…`;
  };
  const out: UnescapedValue[] = [];
  const walk = (node: hbs.AST.Program | undefined): void => {
    for (const statement of node?.body ?? []) {
      if (isBlock(statement)) {
        walk(statement.program);
        walk(statement.inverse);
        continue;
      }
      const writesValue =
        (isMustache(statement) && !isJsonHelperCall(statement)) ||
        statement.type === "PartialStatement" ||
        statement.type === "PartialBlockStatement";
      if (writesValue)
        out.push({
          text: textOf(statement.loc),
          line: statement.loc.start.line,
          column: statement.loc.start.column + 1,
        });
    }
  };
  walk(program);
  return out;
}

function isBlock(node: hbs.AST.Statement): node is hbs.AST.BlockStatement {
  return node.type === "BlockStatement";
}

function isMustache(node: hbs.AST.Statement): node is hbs.AST.MustacheStatement {
  return node.type === "MustacheStatement";
}

function isJsonHelperCall(node: hbs.AST.MustacheStatement): boolean {
  return isPath(node.path) && node.path.original === "json" && node.params.length > 0;
}

function isPath(node: hbs.AST.Expression): node is hbs.AST.PathExpression {
  return node.type === "PathExpression";
}

/** Whether a body is JSON: the default content type, or one that says so. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType === undefined || /\bjson\b/i.test(contentType);
}

export function compileActionBody(source: string): ActionBodyCompileResult {
  try {
    handlebars.precompile(source);
    const compiled = handlebars.compile<ActionBodyContext>(source, {
      noEscape: true,
      strict: false,
    });
    return { ok: true, template: (context) => compiled(context) };
  } catch (error) {
    const first = (error as Error).message
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !/^-*\^$/.test(line))
      .join(" ");
    const hint = /\}\}\}|\{\{\{/.test(source)
      ? " (a JSON brace right next to a mustache reads as {{{ or }}}: put a space between them)"
      : "";
    return { ok: false, message: `${first}${hint}` };
  }
}
