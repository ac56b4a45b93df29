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
